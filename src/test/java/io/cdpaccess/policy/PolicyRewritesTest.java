package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine runs rules in a rewritten form (field chains read as one name, memoized regular
 * expressions, timestamps and durations): rules must mean exactly what they say in CEL, including
 * presence tests, optional selection, shadowing by comprehension variables, and errors.
 */
class PolicyRewritesTest {

    static final FactType.Struct ITEM = FactType.Struct.of("r.Item", "user", FactType.Scalar.STRING);
    static final FactType.Struct REQUEST =
            FactType.Struct.of("r.Request", "user", FactType.Scalar.STRING, "pattern", FactType.Scalar.STRING);
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    static FactSchema schema() {
        Map<String, FactType> v = new LinkedHashMap<>();
        v.put("request", REQUEST);
        v.put("now", FactType.Scalar.TIMESTAMP);
        v.put("store", PolicyEngineTest.STORE);
        v.put("items", new FactType.ListOf(ITEM));
        v.put("ldap", PolicyEngineTest.LDAP);
        return FactSchema.of(v);
    }

    static PolicyResult evaluate(String when, Map<String, Object> facts) throws PolicyException {
        CompiledPolicy policy = new PolicyCompiler(schema())
                .compile(new PolicySpec(List.of(new RuleSpec("r", RuleEffect.ALLOW, when, "", "t.yaml:1")), "t.yaml"));
        return policy.evaluate(name -> Optional.ofNullable(facts.get(name)));
    }

    static RuleOutcome outcome(String when, Map<String, Object> facts) throws PolicyException {
        return evaluate(when, facts).outcomes().get(0);
    }

    static Map<String, Object> facts(Map<String, Object> grant) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request", Map.of("user", "alice", "pattern", "^al"));
        f.put("now", NOW);
        f.put("store", Map.of("grant", grant));
        f.put("items", List.of(Map.of("user", "carol"), Map.of("user", "dave")));
        return f;
    }

    static final Map<String, Object> OPEN_ENDED = Map.of("active", true);
    static final Map<String, Object> ENDING = Map.of("active", true, "until", NOW.plusSeconds(3600));

    @Test
    void factNamesMustBeIdentifiersSoThatDottedNamesAreUnambiguous() {
        assertThatThrownBy(() -> FactSchema.of(Map.of("store.grant", FactType.Scalar.BOOL)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("store.grant");
        assertThatThrownBy(() ->
                        FactSchema.of(Map.of("ldap", FactType.Struct.of("r.Bad", "member-of", FactType.Scalar.STRING))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member-of");
    }

    @Test
    void presenceTestsStillTestTheFieldAndReadingAnUnsetFieldStillFails() throws Exception {
        assertThat(outcome("has(store.grant.until)", facts(OPEN_ENDED)).result())
                .isEqualTo(RuleOutcome.Result.NOT_MATCHED);
        assertThat(outcome("has(store.grant.until)", facts(ENDING)).result()).isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("has(store.grant)", facts(ENDING)).result()).isEqualTo(RuleOutcome.Result.MATCHED);

        RuleOutcome unset = outcome("store.grant.until > now", facts(OPEN_ENDED));
        assertThat(unset.result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(unset.error()).get().asString().contains("store.grant.until");
        assertThat(unset.read()).containsEntry("store.grant.until", null);
    }

    @Test
    void optionalSelectionSeesTheFieldOrItsAbsence() throws Exception {
        assertThat(outcome("store.grant.?until.orValue(now) == now", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("store.grant.?until.orValue(now) > now", facts(ENDING))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
    }

    @Test
    void aComprehensionVariableNamedLikeAFactIsTheLocalNotTheFact() throws Exception {
        // request.user is 'alice'; inside the macro, 'request' is each item.
        assertThat(outcome("items.exists(request, request.user == 'carol')", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("items.all(request, request.user != 'carol')", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.NOT_MATCHED);
        // Outside the macro the fact is the fact, in the same rule.
        assertThat(outcome(
                                "request.user == 'alice' && items.exists(request, request.user == 'dave')",
                                facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("items.exists(i, i.user == request.user)", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.NOT_MATCHED);
    }

    @Test
    void aFieldOfAMissingSourceIsAnErrorThatNamesTheSource() throws Exception {
        RuleOutcome r = outcome("'epic' in ldap.groups", facts(OPEN_ENDED));

        assertThat(r.result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(r.read()).containsOnlyKeys("ldap");
        assertThat(r.error())
                .get()
                .asString()
                .contains("No such attribute(s): ldap")
                .doesNotContain("ldap.groups");
    }

    @Test
    void anUnsetStructureInAChainIsTheErrorNotTheFieldAskedFor() throws Exception {
        Map<String, Object> noGrant = new LinkedHashMap<>(facts(OPEN_ENDED));
        noGrant.put("store", Map.of());

        RuleOutcome r = outcome("store.grant.active", noGrant);

        assertThat(r.result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(r.read()).containsOnlyKeys("store.grant").containsEntry("store.grant", null);
        assertThat(r.error())
                .get()
                .asString()
                .contains("'store.grant' is not present")
                .doesNotContain("active");
        assertThat(outcome("has(store.grant)", noGrant).result()).isEqualTo(RuleOutcome.Result.NOT_MATCHED);
    }

    @Test
    void everyReadOfAFieldIsRecordedOncePerRuleWithItsValue() throws Exception {
        CompiledPolicy p = new PolicyCompiler(schema())
                .compile(new PolicySpec(
                        List.of(
                                new RuleSpec(
                                        "a", RuleEffect.ALLOW, "store.grant.active && store.grant.active", "", "t:1"),
                                new RuleSpec("b", RuleEffect.DENY, "store.grant.until < now", "", "t:2")),
                        "t"));

        PolicyResult r = p.evaluate(name -> Optional.ofNullable(facts(ENDING).get(name)));

        assertThat(r.outcomes().get(0).read()).containsExactly(Map.entry("store.grant.active", true));
        assertThat(r.outcomes().get(1).read())
                .containsExactly(Map.entry("store.grant.until", NOW.plusSeconds(3600)), Map.entry("now", NOW));
        assertThat(r.facts()).containsOnlyKeys("store", "now");
    }

    @Test
    void aStructurePassedAroundStillRecordsTheFieldsTheRuleUses() throws Exception {
        assertThat(outcome("store.grant.?until.orValue(now) == now", facts(OPEN_ENDED))
                        .read())
                .as("the absence the answer rests on")
                .containsOnlyKeys("store.grant.until", "now")
                .containsEntry("store.grant.until", null);
        assertThat(outcome("[store.grant][0].active", facts(OPEN_ENDED)).read())
                .containsExactly(Map.entry("store.grant.active", true));
        assertThat(outcome("{'g': store.grant}.g.until > now", facts(ENDING)).read())
                .containsExactly(Map.entry("store.grant.until", NOW.plusSeconds(3600)), Map.entry("now", NOW));
        assertThat(outcome("(true ? store : store).grant.active", facts(OPEN_ENDED))
                        .read())
                .as("converting a whole structure is not reading every field")
                .containsExactly(Map.entry("store.grant.active", true));
    }

    @Test
    void regularExpressionsAnswerAsCelDoesAndABadOneFailsEveryTime() throws Exception {
        assertThat(outcome("request.user.matches('^al')", facts(OPEN_ENDED)).result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("matches(request.user, 'ic')", facts(OPEN_ENDED)).result())
                .as("CEL's matches finds the pattern anywhere")
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("request.user.matches(request.pattern)", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        for (int i = 0; i < 2; i++) {
            RuleOutcome bad = outcome("request.user.matches('[')", facts(OPEN_ENDED));
            assertThat(bad.result()).isEqualTo(RuleOutcome.Result.ERROR);
            assertThat(bad.error()).get().asString().contains("missing closing ]");
        }
    }

    @Test
    void errorsNameTheFunctionsAsTheRuleWritesThem() throws Exception {
        RuleOutcome outOfRange = outcome("now < timestamp('0000-01-01T00:00:00Z')", facts(OPEN_ENDED));
        RuleOutcome notAString = outcome("dyn(now).matches('x')", facts(OPEN_ENDED));

        assertThat(outOfRange.result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(outOfRange.error()).get().asString().contains("timestamp").doesNotContain("cdp_");
        assertThat(notAString.result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(notAString.error()).get().asString().contains("matches").doesNotContain("cdp_");
    }

    @Test
    void patternsComputedFromFactsMatchCorrectly() throws Exception {
        CompiledPolicy p = new PolicyCompiler(schema())
                .compile(new PolicySpec(
                        List.of(new RuleSpec(
                                "own",
                                RuleEffect.ALLOW,
                                "request.user.matches('^' + request.pattern + '$')",
                                "",
                                "t:1")),
                        "t"));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // more distinct patterns than any memo would keep
            String user = "user" + i;
            String pattern = i % 2 == 0 ? user : "other" + i;
            Map<String, Object> f = Map.of("request", Map.of("user", user, "pattern", pattern));
            PolicyResult r = p.evaluate(name -> Optional.ofNullable(f.get(name)));
            if (r.allowed() != (i % 2 == 0)) {
                wrong.add(user);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void constantTimesAndDurationsCompareRightAndBadTextFailsEveryTime() throws Exception {
        assertThat(outcome("now < timestamp('2026-12-24T00:00:00Z')", facts(OPEN_ENDED))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("now > timestamp('2026-11-28T13:00:00+02:00')", facts(OPEN_ENDED))
                        .result())
                .as("an offset is honoured")
                .isEqualTo(RuleOutcome.Result.MATCHED);
        assertThat(outcome("store.grant.until - now == duration('1h')", facts(ENDING))
                        .result())
                .isEqualTo(RuleOutcome.Result.MATCHED);
        for (int i = 0; i < 2; i++) {
            assertThat(outcome("now < timestamp(request.user)", facts(OPEN_ENDED))
                            .result())
                    .isEqualTo(RuleOutcome.Result.ERROR);
            assertThat(outcome("duration(request.user) > duration('1s')", facts(OPEN_ENDED))
                            .result())
                    .isEqualTo(RuleOutcome.Result.ERROR);
        }
    }
}
