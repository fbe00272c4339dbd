package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoliciesTest {

    @Test
    void aRuleNamedLikeAReasonCodeIsReportedOnce() {
        PolicySpec spec = new PolicySpec(
                List.of(
                        new RuleSpec("grant", RuleEffect.ALLOW, "store.grant.active", "", "c.yaml:10"),
                        new RuleSpec("fact-error", RuleEffect.DENY, "false", "", "c.yaml:13")),
                "c.yaml");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.compile(spec));

        assertThat(e.problems())
                .containsExactly("c.yaml:13: rule 'fact-error': the name is a reason code the service "
                        + "gives outside the policy; choose another");
    }

    @Test
    void reservedNamesAndCompileProblemsAreEachReportedOnceReservedFirst() {
        PolicySpec spec = new PolicySpec(
                List.of(
                        new RuleSpec("typo", RuleEffect.DENY, "request.usr == 'x'", "", "c.yaml:10"),
                        new RuleSpec("bad-request", RuleEffect.DENY, "false", "", "c.yaml:13")),
                "c.yaml");

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> Policies.compile(spec));

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith("c.yaml:13: rule 'bad-request': the name is a reason code");
        assertThat(e.problems().get(1)).startsWith("c.yaml:10: rule 'typo': 1:8: undefined field 'usr'");
    }
}
