package io.cdpaccess.source;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A source's facts about one key.
 *
 * @param found whether the source knows the key (the cache keeps "not found" for less long)
 * @param facts plain values as {@link io.cdpaccess.policy.FactType} describes them ({@code
 *     String}, {@code Long}, {@code Boolean}, {@code Instant}, {@code List}, {@code Map}); a fact
 *     the source has no value for is left out
 * @param changesAt the first moment after the lookup at which a fact given here stops being true
 *     because of time alone (a rights expiration, an account expiry, a training date): the
 *     answer is never used, not even as a stale one, from then on
 */
public record SourceAnswer(boolean found, Map<String, Object> facts, Optional<Instant> changesAt) {

    public SourceAnswer {
        facts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    }
}
