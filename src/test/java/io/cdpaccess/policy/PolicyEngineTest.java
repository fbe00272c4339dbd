package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Combination (deny overrides, default deny), rule errors, explanations and compile errors. */
class PolicyEngineTest {

    static final FactType.Struct GRANT =
            FactType.Struct.of("t.Grant", "active", FactType.Scalar.BOOL, "until", FactType.Scalar.TIMESTAMP);
    static final FactType.Struct STORE = FactType.Struct.of("t.Store", "grant", GRANT);
    static final FactType.Struct REQUEST =
            FactType.Struct.of("t.Request", "user", FactType.Scalar.STRING, "project_id", FactType.Scalar.INT);
    static final FactType.Struct LDAP =
            FactType.Struct.of("t.Ldap", "groups", new FactType.ListOf(FactType.Scalar.STRING));
    static final FactSchema SCHEMA = FactSchema.of(schemaVars());

    static Map<String, FactType> schemaVars() {
        Map<String, FactType> v = new LinkedHashMap<>();
        v.put("request", REQUEST);
        v.put("now", FactType.Scalar.TIMESTAMP);
        v.put("store", STORE);
        v.put("ldap", LDAP);
        return v;
    }

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    static CompiledPolicy compile(String... nameEffectWhen) throws PolicyException {
        List<RuleSpec> rules = new java.util.ArrayList<>();
        for (int i = 0; i < nameEffectWhen.length; i += 3) {
            rules.add(new RuleSpec(
                    nameEffectWhen[i],
                    RuleEffect.valueOf(nameEffectWhen[i + 1].toUpperCase()),
                    nameEffectWhen[i + 2],
                    "",
                    "test.yaml:" + (i / 3 + 1)));
        }
        return new PolicyCompiler(SCHEMA).compile(new PolicySpec(rules, "test.yaml"));
    }

    static FactResolver facts(Map<String, Object> values) {
        return name -> Optional.ofNullable(values.get(name));
    }

    static Map<String, Object> standardFacts(boolean active, List<String> groups) {
        return Map.of(
                "request",
                Map.of("user", "alice", "project_id", 42L),
                "now",
                NOW,
                "store",
                Map.of("grant", Map.of("active", active, "until", NOW.plusSeconds(60))),
                "ldap",
                Map.of("groups", groups));
    }

    @Test
    void anyMatchingDenyWinsOverEveryAllow() throws Exception {
        CompiledPolicy p =
                compile("grant", "allow", "store.grant.active", "not-epic", "deny", "!('epic' in ldap.groups)");

        PolicyResult denied = p.evaluate(facts(standardFacts(true, List.of("other"))));
        PolicyResult allowed = p.evaluate(facts(standardFacts(true, List.of("epic"))));

        assertThat(denied.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(denied.decidingRule()).contains("not-epic");
        assertThat(allowed.effect()).isEqualTo(RuleEffect.ALLOW);
        assertThat(allowed.reason()).isEqualTo("grant");
    }

    @Test
    void nothingMatchingIsADefaultDenyWithItsOwnReason() throws Exception {
        CompiledPolicy p = compile("grant", "allow", "store.grant.active");

        PolicyResult r = p.evaluate(facts(standardFacts(false, List.of())));

        assertThat(r.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(r.decidingRule()).isEmpty();
        assertThat(r.reason()).isEqualTo("no-rule-matched");
    }

    @Test
    void aFailingAllowRuleDoesNotAllowAndAFailingDenyRuleDenies() throws Exception {
        CompiledPolicy onlyAllow = compile("bad-allow", "allow", "int(request.user) > 0");
        CompiledPolicy withDeny =
                compile("grant", "allow", "store.grant.active", "bad-deny", "deny", "int(request.user) > 0");

        PolicyResult a = onlyAllow.evaluate(facts(standardFacts(true, List.of())));
        PolicyResult d = withDeny.evaluate(facts(standardFacts(true, List.of())));

        assertThat(a.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(a.outcomes().get(0).result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(a.outcomes().get(0).error()).get().asString().contains("alice");
        assertThat(d.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(d.decidingRule()).contains("bad-deny");
    }

    @Test
    void aDenyThatHoldsIsTheReasonOverAnEarlierDenyThatFailed() throws Exception {
        CompiledPolicy p = compile(
                "grant",
                "allow",
                "store.grant.active",
                "bad-deny",
                "deny",
                "int(request.user) > 0",
                "not-epic",
                "deny",
                "!('epic' in ldap.groups)");

        PolicyResult r = p.evaluate(facts(standardFacts(true, List.of("other"))));

        assertThat(r.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(r.outcomes().get(1).result()).isEqualTo(RuleOutcome.Result.ERROR);
        assertThat(r.decidingRule()).contains("not-epic");
        assertThat(r.inconclusive()).isFalse();
    }

    @Test
    void aMissingFactIsAnErrorNotAGuess() throws Exception {
        CompiledPolicy p = compile("epic", "allow", "'epic' in ldap.groups");
        Map<String, Object> withoutLdap = new LinkedHashMap<>(standardFacts(true, List.of("epic")));
        withoutLdap.remove("ldap");

        PolicyResult r = p.evaluate(facts(withoutLdap));

        assertThat(r.effect()).isEqualTo(RuleEffect.DENY);
        assertThat(r.outcomes().get(0).result()).isEqualTo(RuleOutcome.Result.ERROR);
    }

    @Test
    void theExplanationListsEachRulesFactsAndOnlyTheVariablesThatWereNeeded() throws Exception {
        CompiledPolicy p = compile(
                "grant",
                "allow",
                "store.grant.active && (!has(store.grant.until) || store.grant.until > now)",
                "named",
                "allow",
                "request.user == 'bob'");
        java.util.Set<String> asked = new java.util.HashSet<>();
        Map<String, Object> all = standardFacts(true, List.of());

        PolicyResult r = p.evaluate(name -> {
            asked.add(name);
            return Optional.ofNullable(all.get(name));
        });

        assertThat(asked).containsExactlyInAnyOrder("store", "now", "request");
        assertThat(r.outcomes().get(0).read())
                .containsEntry("store.grant.active", true)
                .containsEntry("store.grant.until", NOW.plusSeconds(60))
                .containsEntry("now", NOW);
        assertThat(r.outcomes().get(1).read()).containsOnlyKeys("request.user");
        assertThat(r.facts()).containsOnlyKeys("store", "now", "request");
        assertThat(p.variables()).containsExactlyInAnyOrder("store", "now", "request");
    }

    @Test
    void compileErrorsNameTheFileRuleAndPositionAndAreAllReported() {
        assertThatThrownBy(() -> compile(
                        "typo",
                        "allow",
                        "request.usr == 'x'",
                        "wrong-type",
                        "deny",
                        "request.user == 1",
                        "syntax",
                        "allow",
                        "request.user ==",
                        "not-bool",
                        "allow",
                        "request.user"))
                .isInstanceOfSatisfying(
                        PolicyException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(p -> assertThat(p)
                                        .startsWith("test.yaml:1: rule 'typo': 1:8: ")
                                        .contains("usr"))
                                .anySatisfy(p -> assertThat(p).startsWith("test.yaml:2: rule 'wrong-type': 1:"))
                                .anySatisfy(p -> assertThat(p).startsWith("test.yaml:3: rule 'syntax': 1:16:"))
                                .anySatisfy(p -> assertThat(p)
                                        .startsWith("test.yaml:4: rule 'not-bool':")
                                        .contains("bool")));
    }

    @Test
    void ruleNamesMustBeUniqueAndUsableAsReasonCodes() {
        assertThatThrownBy(() -> compile("a", "allow", "true", "a", "deny", "false"))
                .hasMessageContaining("same name");
        assertThatThrownBy(() -> compile("Has Spaces", "allow", "true")).hasMessageContaining("lower-case");
        assertThatThrownBy(() -> compile("no-rule-matched", "allow", "true")).hasMessageContaining("no-rule-matched");
    }

    @Test
    void theVersionChangesWithTheRulesAndOnlyWithThem() throws Exception {
        String v1 = compile("a", "allow", "store.grant.active").version();
        String v1Again = compile("a", "allow", " store.grant.active ").version();
        String v2 = compile("a", "deny", "store.grant.active").version();

        assertThat(v1).hasSize(12).isEqualTo(v1Again).isNotEqualTo(v2);
    }
}
