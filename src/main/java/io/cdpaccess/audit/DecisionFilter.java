package io.cdpaccess.audit;

import io.cdpaccess.outcome.Effect;
import java.time.Instant;
import java.util.Optional;

/**
 * Which recorded decisions to read.
 *
 * @param since inclusive lower bound on the decision time
 * @param user normalized username
 * @param limit most recent N when listing; empty for all (exports)
 */
public record DecisionFilter(
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<String> instance,
        Optional<String> user,
        Optional<Effect> effect,
        Optional<Integer> limit) {

    public static DecisionFilter all() {
        return new DecisionFilter(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}
