package io.cdpaccess.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How one rule fared in one evaluation.
 *
 * @param read the facts the rule read, path → value ({@code null}: not set)
 */
public record RuleOutcome(
        String rule, RuleEffect effect, Result result, Optional<String> error, Map<String, Object> read) {

    /** Matched, did not match, or could not be evaluated. */
    public enum Result {
        MATCHED,
        NOT_MATCHED,
        ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
