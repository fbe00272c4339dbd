package io.cdpaccess.policy;

import java.util.List;
import java.util.Optional;

/**
 * The combination rule, written once, as in Cerbos or AWS IAM: any matching {@code deny} rule
 * denies; otherwise any matching {@code allow} rule allows; otherwise the default is deny.
 *
 * <p>A rule that could not be evaluated (a missing fact, a bad conversion) counts as matching if
 * it is a deny and as not matching if it is an allow: an error can only ever make the answer
 * stricter. The deciding rule is the first deny that matched, else the first deny that failed,
 * else the first allow that matched; a deny that holds outright is the reason over an earlier one
 * that could not be evaluated, because the answer then does not rest on the error. A deny is
 * <em>inconclusive</em> when it rests on an error: no deny rule matched cleanly and some rule
 * failed. The answer is still deny; the caller may report it as "could not decide".
 */
final class Combination {

    /** What the rules' outcomes add up to. */
    record Verdict(RuleEffect effect, Optional<String> decidingRule, boolean inconclusive) {}

    private Combination() {}

    static Verdict of(List<RuleOutcome> outcomes) {
        String denyMatched = null;
        String denyFailed = null;
        String allowMatched = null;
        boolean anyFailed = false;
        for (RuleOutcome o : outcomes) {
            boolean matched = o.result() == RuleOutcome.Result.MATCHED;
            boolean failed = o.result() == RuleOutcome.Result.ERROR;
            anyFailed |= failed;
            if (o.effect() == RuleEffect.DENY) {
                if (matched && denyMatched == null) {
                    denyMatched = o.rule();
                } else if (failed && denyFailed == null) {
                    denyFailed = o.rule();
                }
            } else if (matched && allowMatched == null) {
                allowMatched = o.rule();
            }
        }
        String deny = denyMatched != null ? denyMatched : denyFailed;
        if (deny == null && allowMatched != null) {
            return new Verdict(RuleEffect.ALLOW, Optional.of(allowMatched), false);
        }
        return new Verdict(RuleEffect.DENY, Optional.ofNullable(deny), denyMatched == null && anyFailed);
    }
}
