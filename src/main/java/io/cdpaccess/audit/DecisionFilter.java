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
 * @param projectId the project as REDCap sent it
 * @param reason the reason code (a rule's name, {@code deadline-exceeded}, ...), as answered
 * @param decisionId one decision
 * @param policyVersion the version of the policy that decided
 */
public record DecisionFilter(
        Optional<Instant> since,
        Optional<Instant> until,
        Optional<String> instance,
        Optional<String> user,
        Optional<Effect> effect,
        Optional<Integer> limit,
        Optional<String> projectId,
        Optional<String> reason,
        Optional<String> decisionId,
        Optional<String> policyVersion) {

    /** A filter on time, instance, user and effect only. */
    public DecisionFilter(
            Optional<Instant> since,
            Optional<Instant> until,
            Optional<String> instance,
            Optional<String> user,
            Optional<Effect> effect,
            Optional<Integer> limit) {
        this(
                since,
                until,
                instance,
                user,
                effect,
                limit,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

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
