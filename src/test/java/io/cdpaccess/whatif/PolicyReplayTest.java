package io.cdpaccess.whatif;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.GroupCommit;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.CoreFacts;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Replay of decisions recorded before {@code request.user} became the normalized name: their
 * explanation's {@code user} is the name as sent and their {@code caller_ip} the JDK's long form,
 * and a new policy must see them as it sees today's requests.
 */
class PolicyReplayTest {

    private static final Instant AT = Instant.parse("2026-11-20T10:00:00Z");

    /** An explanation exactly as the version before issue 10 wrote it. */
    private static final String OLD_EXPLANATION = """
            {"format":1,"policy":"0123456789ab","effect":"allow","rule":"grant",
             "rules":[{"name":"grant","effect":"allow","result":"matched","read":{"store.grant.active":true}}],
             "facts":{"request":{"user":" MALLORY","normalized_user":"mallory","project_id":42,
                                 "redcap_url":"https://redcap.example.edu/","instance":"prod",
                                 "caller_ip":"0:0:0:0:0:0:0:1"},
                      "now":"2026-11-20T10:00:00Z",
                      "store":{"grant":{"state":"active","active":true,"id":"G1"},
                               "project":{"status":"unknown","expired":false},"block":{"active":false}}},
             "sources":{"store":{"latency_us":3,"cached":true}}}
            """;

    @Test
    void anOldDecisionIsReplayedWithTheNormalizedUserAndTheCanonicalCallerAddress() throws Exception {
        try (Database database = TestDatabases.create(TestDatabases.Kind.SQLITE).open("replay")) {
            try (DecisionLog log = new DecisionLog(database.dataSource(), Clock.systemUTC())) {
                assertThat(log.append(oldDecision(), Duration.ofSeconds(30))).isEqualTo(GroupCommit.Outcome.COMMITTED);
            }
            DecisionQuery query = new DecisionQuery(database.dataSource());

            PolicyReplay.Report byName =
                    PolicyReplay.replay(policy("mallory", "request.user == 'mallory'"), query, DecisionFilter.all());
            PolicyReplay.Report byNameAsSent = PolicyReplay.replay(
                    policy("as-sent", "request.user_as_sent == ' MALLORY'"), query, DecisionFilter.all());
            PolicyReplay.Report byAddress =
                    PolicyReplay.replay(policy("loopback", "request.caller_ip == '::1'"), query, DecisionFilter.all());
            PolicyReplay.Report byOldAlias = PolicyReplay.replay(
                    policy("alias", "request.normalized_user == 'mallory'"), query, DecisionFilter.all());

            for (PolicyReplay.Report report : List.of(byName, byNameAsSent, byAddress, byOldAlias)) {
                assertThat(report.replayed()).isEqualTo(1);
                assertThat(report.incomplete()).isZero();
                assertThat(report.allowToDeny())
                        .as(report.flipsByNewRule().toString())
                        .isEqualTo(1);
            }
            assertThat(byName.flipsByNewRule()).containsOnlyKeys("mallory");
            assertThat(byAddress.flipsByNewRule()).containsOnlyKeys("loopback");
        }
    }

    @Test
    void recordedRequestFactsOfThisVersionAreLeftAsTheyWere() {
        var today = new java.util.LinkedHashMap<String, Object>();
        today.put("user", "mallory");
        today.put("user_as_sent", "MALLORY");
        today.put("normalized_user", "mallory");
        today.put("caller_ip", "::1");
        assertThat(CoreFacts.recordedRequest(today)).isEqualTo(today);
        assertThat(CoreFacts.recordedRequest("not a structure")).isEqualTo("not a structure");
    }

    /** A deny rule with this condition before the grant rule. */
    private static CompiledPolicy policy(String name, String when) throws Exception {
        return new PolicyCompiler(CoreFacts.schema())
                .compile(new PolicySpec(
                        List.of(
                                new RuleSpec(name, RuleEffect.DENY, when, "", "test:1"),
                                new RuleSpec("grant", RuleEffect.ALLOW, "store.grant.active", "", "test:2")),
                        "test"));
    }

    private static DecisionRecord oldDecision() {
        TestClock clock = new TestClock(AT);
        return new DecisionRecord(
                Ids.next(clock),
                AT,
                Optional.of("prod"),
                Optional.of(" MALLORY"),
                Optional.of("mallory"),
                Optional.of("42"),
                Optional.of("https://redcap.example.edu/"),
                "0:0:0:0:0:0:0:1",
                "0:0:0:0:0:0:0:1",
                Effect.ALLOW,
                "grant",
                Optional.empty(),
                200,
                100,
                Optional.of("G1"),
                Optional.of("0123456789ab"),
                Optional.of(OLD_EXPLANATION));
    }
}
