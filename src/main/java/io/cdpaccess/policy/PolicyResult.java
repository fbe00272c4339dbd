package io.cdpaccess.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of evaluating a policy: the effect, the rule that decided it (none when no rule
 * matched and the default deny applied), every rule's outcome in order, and the plain values of
 * every variable the evaluation fetched (enough to evaluate again later: replay).
 */
public record PolicyResult(RuleEffect effect, Optional<String> decidingRule, List<RuleOutcome> outcomes,
                           Map<String, Object> facts, String policyVersion) {

    /** The reason code of a default deny. */
    public static final String NO_RULE_MATCHED = "no-rule-matched";

    public PolicyResult {
        outcomes = List.copyOf(outcomes);
        facts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    }

    /** The deciding rule's name, or {@value #NO_RULE_MATCHED}. */
    public String reason() {
        return decidingRule.orElse(NO_RULE_MATCHED);
    }

    public boolean allowed() {
        return effect == RuleEffect.ALLOW;
    }

    /**
     * Whether this deny rests on an error: no deny rule matched cleanly, but a deny rule could not
     * be evaluated, or no allow rule matched and an allow rule could not be evaluated. The answer
     * is still deny; the caller may want to report it as "could not decide" rather than "no".
     */
    public boolean inconclusive() {
        if (allowed()) {
            return false;
        }
        boolean cleanDeny = false;
        boolean failed = false;
        for (RuleOutcome o : outcomes) {
            cleanDeny |= o.effect() == RuleEffect.DENY && o.result() == RuleOutcome.Result.MATCHED;
            failed |= o.result() == RuleOutcome.Result.ERROR;
        }
        return !cleanDeny && failed;
    }
}
