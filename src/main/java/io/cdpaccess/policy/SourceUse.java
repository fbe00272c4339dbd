package io.cdpaccess.policy;

import java.util.Optional;

/**
 * How one fact source served one decision, for its explanation.
 *
 * @param latencyMicros how long getting its facts took, as the decision waited for them
 * @param cached whether they came from memory rather than from the source itself
 * @param stale whether they are an old answer standing in while the source failed
 * @param outcome {@code found}, {@code not-found}, {@code error}, {@code timeout} or {@code breaker-open}
 * @param error why the source could not answer, when it could not
 */
public record SourceUse(long latencyMicros, boolean cached, boolean stale, String outcome, Optional<String> error) {

    /** A source that answered from memory or fresh, with no error. */
    public static SourceUse answered(long latencyMicros, boolean cached) {
        return new SourceUse(latencyMicros, cached, false, "found", Optional.empty());
    }
}
