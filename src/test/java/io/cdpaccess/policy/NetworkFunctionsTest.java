package io.cdpaccess.policy;

import static io.cdpaccess.policy.PolicyEngineTest.compile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IP and CIDR functions rules may use (after Kubernetes' CEL library): typed addresses and
 * networks that compare by value, and constants that are not addresses or networks refused when
 * the policy loads, with the rule and the position.
 */
class NetworkFunctionsTest {

    private static final FactType.Struct REQUEST =
            FactType.Struct.of("n.Request", "caller_ip", FactType.Scalar.STRING, "user", FactType.Scalar.STRING);
    private static final FactSchema SCHEMA = FactSchema.of(Map.of("request", REQUEST));

    /** The rule's outcome for a caller at {@code callerIp}. */
    private static RuleOutcome.Result outcome(String when, String callerIp) throws PolicyException {
        CompiledPolicy p = new PolicyCompiler(SCHEMA)
                .compile(new PolicySpec(
                        java.util.List.of(new RuleSpec("r", RuleEffect.ALLOW, when, "", "test.yaml:1")), "test.yaml"));
        PolicyResult result = p.evaluate(name ->
                name.equals("request") ? Optional.of(Map.of("caller_ip", callerIp, "user", "x")) : Optional.empty());
        return result.outcomes().get(0).result();
    }

    private static boolean holds(String when, String callerIp) throws PolicyException {
        RuleOutcome.Result r = outcome(when, callerIp);
        assertThat(r).as(when).isNotEqualTo(RuleOutcome.Result.ERROR);
        return r == RuleOutcome.Result.MATCHED;
    }

    @ParameterizedTest
    @CsvSource({
        "cidr('10.0.0.0/8').containsIP(request.caller_ip), 10.1.2.3, true",
        "cidr('10.0.0.0/8').containsIP(request.caller_ip), 100.1.2.3, false",
        "cidr('10.0.0.0/8').containsIP(ip(request.caller_ip)), 10.255.0.1, true",
        "cidr('10.0.0.0/8').containsIP(request.caller_ip), ::ffff:10.0.0.1, true",
        "cidr('10.0.0.0/8').containsIP(request.caller_ip), 2001:db8::1, false",
        "cidr('2001:db8::/32').containsIP(request.caller_ip), 2001:DB8:0:0:0:0:0:5, true",
        "cidr('2001:db8::/32').containsIP(request.caller_ip), 2001:db9::5, false",
        "ip(request.caller_ip) == ip('::1'), 0:0:0:0:0:0:0:1, true",
        "ip(request.caller_ip) == ip('::2'), ::1, false",
        "ip(request.caller_ip) in [ip('10.0.0.1')] + [ip('10.0.0.2')], 10.0.0.2, true",
        "ip(request.caller_ip).isLoopback(), ::1, true",
        "ip(request.caller_ip).isLoopback(), 127.0.0.1, true",
        "ip(request.caller_ip).isLoopback(), 10.0.0.1, false",
        "ip(request.caller_ip).isUnspecified(), ::, true",
        "ip(request.caller_ip).family() == 4, 192.0.2.1, true",
        "ip(request.caller_ip).family() == 6, 2001:db8::1, true",
        "string(ip(request.caller_ip)) == '2001:db8::5', 2001:db8:0:0:0:0:0:5, true",
        "isIP(request.caller_ip), 10.0.0.1, true",
        "isIP(request.caller_ip), 10.0.0.256, false",
        "isIP(request.caller_ip), redcap.example.edu, false",
        "isIP(request.caller_ip), 10.0.0.0/8, false",
        "ip.isCanonical(request.caller_ip), 2001:db8::5, true",
        "ip.isCanonical(request.caller_ip), 2001:DB8::5, false",
        "isCIDR(request.caller_ip), 10.0.0.0/8, true",
        "isCIDR(request.caller_ip), 10.0.0.1, false",
        "isCIDR(request.caller_ip), 10.0.0.0/33, false",
        "cidr('10.0.0.0/8').containsCIDR(request.caller_ip), 10.1.0.0/16, true",
        "cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8')), -, false",
        "cidr('10.0.0.0/8').containsCIDR(cidr('10.0.0.0/8')), -, true",
        "cidr('10.1.2.3/8').ip() == ip('10.0.0.0'), -, true",
        "cidr('2001:db8::/32').prefixLength() == 32, -, true",
        "string(cidr('2001:DB8:0::/32')) == '2001:db8::/32', -, true",
        "cidr('10.0.0.0/8') == cidr('10.9.9.9/8'), -, true"
    })
    void addressesAndNetworksCompareByValue(String when, String callerIp, boolean expected) throws Exception {
        assertThat(holds(when, callerIp)).as(when + " for " + callerIp).isEqualTo(expected);
    }

    @Test
    void textFromTheRequestThatIsNotAnAddressIsAnEvaluationErrorSoAnAllowFails() throws Exception {
        assertThat(outcome("ip(request.caller_ip).isLoopback()", "localhost")).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(outcome("cidr('10.0.0.0/8').containsIP(request.caller_ip)", "-"))
                .isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(outcome("cidr(request.caller_ip).prefixLength() > 0", "10.0.0.1"))
                .isEqualTo(RuleOutcome.Result.ERROR);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ip('10.0.0.256') == ip(request.caller_ip)",
                "ip('redcap.example.edu').isLoopback()",
                "ip(' 10.0.0.1').isLoopback()",
                "ip('10.0.0.0/8').isLoopback()",
                "cidr('10.0.0.0').containsIP(request.caller_ip)",
                "cidr('10.0.0.0/33').containsIP(request.caller_ip)",
                "cidr('example.edu/8').containsIP(request.caller_ip)",
                "cidr('10.0.0.0/8').containsIP('10.0.0.x')",
                "cidr('10.0.0.0/8').containsCIDR('10.0.0.0')"
            })
    void aConstantThatIsNotAnAddressOrANetworkIsRefusedWhenThePolicyLoads(String when) {
        assertThatThrownBy(() -> outcome(when, "10.0.0.1"))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p)
                                        .startsWith("test.yaml:1: rule 'r': 1:")
                                        .contains("not a")));
    }

    @Test
    void theLoadTimeErrorNamesTheRuleThePositionAndTheText() {
        assertThatThrownBy(() -> compile(
                        "ok",
                        "allow",
                        "true",
                        "office",
                        "deny",
                        "has(request.user) &&\n  !cidr('10.0.0.0/88').containsIP(ip('10.0.0.1'))"))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .containsExactly("test.yaml:2: rule 'office': 2:9: cidr('10.0.0.0/88'): not a network:"
                                        + " prefix length 88 is more than 32 in 10.0.0.0/88"));
    }

    @Test
    void addressesAreTypedSoComparingOneWithTextIsACompileError() {
        assertThatThrownBy(() -> compile("r", "allow", "ip('10.0.0.1') == '10.0.0.1'"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("net.IP");
    }
}
