package io.cdpaccess.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of evaluating a policy: every rule's outcome in order, what they add up to by the
 * {@link Combination} rule (the effect, the deciding rule, whether a deny rests on an error), and
 * the plain values of every variable the evaluation fetched (enough to evaluate again later:
 * replay). Immutable.
 */
public final class PolicyResult {

    /** The reason code of a default deny. */
    public static final String NO_RULE_MATCHED = "no-rule-matched";

    private final List<RuleOutcome> outcomes;
    private final Map<String, Object> facts;
    private final String policyVersion;
    private final Combination.Verdict verdict;

    PolicyResult(List<RuleOutcome> outcomes, Map<String, Object> facts, String policyVersion) {
        this(List.copyOf(outcomes), facts, policyVersion, Combination.of(outcomes));
    }

    private PolicyResult(
            List<RuleOutcome> outcomes, Map<String, Object> facts, String policyVersion, Combination.Verdict verdict) {
        this.outcomes = outcomes;
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        this.policyVersion = policyVersion;
        this.verdict = verdict;
    }

    /** The same result, recorded with these facts (for instance also facts no rule read). */
    public PolicyResult withFacts(Map<String, Object> recordedFacts) {
        return new PolicyResult(outcomes, recordedFacts, policyVersion, verdict);
    }

    public RuleEffect effect() {
        return verdict.effect();
    }

    /** The rule that decided; none when no rule matched and the default deny applied. */
    public Optional<String> decidingRule() {
        return verdict.decidingRule();
    }

    /** The deciding rule's name, or {@value #NO_RULE_MATCHED}. */
    public String reason() {
        return verdict.decidingRule().orElse(NO_RULE_MATCHED);
    }

    public boolean allowed() {
        return verdict.effect() == RuleEffect.ALLOW;
    }

    /** Whether this deny rests on an error (see {@link Combination}). */
    public boolean inconclusive() {
        return verdict.inconclusive();
    }

    /** Every rule's outcome, in policy order. */
    public List<RuleOutcome> outcomes() {
        return outcomes;
    }

    /** The plain values of the variables fetched, in the order first read. */
    public Map<String, Object> facts() {
        return facts;
    }

    public String policyVersion() {
        return policyVersion;
    }

    /** Each failed rule as {@code "rule: error"}, in policy order. */
    public List<String> errors() {
        return outcomes.stream()
                .filter(o -> o.result() == RuleOutcome.Result.ERROR)
                .map(o -> o.rule() + ": " + o.error().orElse("error"))
                .toList();
    }
}
