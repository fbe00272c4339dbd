package io.cdpaccess.source.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.config.SqlSettings;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.whatif.PolicyCases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The shipped sample {@code config/samples/ctms-staff.yaml}: {@code config validate} passes, its
 * {@code policy test} cases pass and decide with every rule, and its query, word for word, finds
 * study staff in a real PostgreSQL holding the table its comments describe.
 */
class CtmsStaffSampleTest {

    static final Path SAMPLE = Path.of("config/samples/ctms-staff.yaml");
    static final Path CASES = Path.of("config/samples/ctms-staff.cases.yaml");
    static final Map<String, String> ENV = Map.of(
            "CDP_ACCESS_PROD_SECRET", "an-example-secret-0123456789-XYZ",
            "REDCAP_DB_PASSWORD", "db-pass",
            "CTMS_PASSWORD", "ctms-pass");
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");

    final Cli cli = new Cli(new TestClock(NOW), ENV);

    static ServiceConfig load() throws Exception {
        return new ConfigLoader(ENV).load(SAMPLE);
    }

    @Test
    void theSampleValidates() {
        Cli.Result r = cli.run("config", "validate", "--config", SAMPLE.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void itsPolicyPassesItsCasesAndEveryRuleDecidesOne() throws Exception {
        Cli.Result r = cli.run("policy", "test", "--config", SAMPLE.toString(), CASES.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();

        ServiceConfig c = load();
        CompiledPolicy policy = Policies.compile(c);
        List<PolicyCases.Case> cases = PolicyCases.read(CASES);
        List<PolicyCases.Outcome> outcomes = PolicyCases.run(policy, cases);
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.passed())
                        .as(o.testCase().name() + ": " + o.message())
                        .isTrue());
        assertThat(outcomes.stream().map(PolicyCases.Outcome::actualRule).distinct())
                .containsExactlyInAnyOrderElementsOf(c.policy().orElseThrow().rules().stream()
                        .map(rule -> rule.name())
                        .toList());
    }

    @Test
    void itsQueryFindsActiveStaffOnTheProjectsProtocolInARealDatabase() throws Exception {
        SourceConfig sample = load().sources().stream()
                .filter(s -> s.name().equals("ctms"))
                .findFirst()
                .orElseThrow();
        assertThat(sample.irbNumber()).contains("redcap.project_irb_number");
        SqlSettings s = (SqlSettings) sample.settings();

        TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        SqlSourceContract.execute(
                db,
                "CREATE TABLE study_staff (username VARCHAR(100), protocol_number VARCHAR(50),"
                        + " role VARCHAR(50), active BOOLEAN, end_date DATE)",
                "INSERT INTO study_staff VALUES ('Alice', 'IRB-2026-001', 'CRC', TRUE, '2027-06-30'),"
                        + " ('alice', 'IRB-2026-001', 'CRC', FALSE, '2025-01-31'),"
                        + " ('alice', 'IRB-2025-777', 'PI', TRUE, NULL),"
                        + " ('ivan', 'IRB-2026-001', 'CRC', FALSE, NULL)");
        TestDatabase.Account reader = db.account("SELECT");
        SqlSettings onTestDb = new SqlSettings(
                db.config().url(),
                reader.user(),
                io.cdpaccess.config.Secret.of(reader.password()),
                s.poolSize(),
                s.zone(),
                s.query(),
                s.columns(),
                s.drivers());
        SourceConfig source = new SourceConfig(
                sample.name(),
                sample.origin(),
                sample.timeout(),
                sample.cache(),
                sample.maxConcurrent(),
                sample.identity(),
                sample.irbNumber(),
                onTestDb);
        assertThat(new SqlSource().perProject(source)).isTrue();
        try (SourceClient ctms = new SqlSource().open(source, Clock.systemUTC())) {
            assertThat(ctms.writeAccessWarning()).isEmpty();
            SourceAnswer alice = ctms.lookup(key("alice", "IRB-2026-001"));
            assertThat(alice.found()).isTrue();
            assertThat(alice.facts())
                    .containsExactlyEntriesOf(OrderedFacts.of(
                            "found",
                            true,
                            "role",
                            "CRC",
                            "active",
                            true,
                            "ends",
                            Instant.parse("2027-07-01T05:00:00Z")));
            assertThat(ctms.lookup(key("alice", "IRB-2025-777")).facts())
                    .containsEntry("role", "PI")
                    .doesNotContainKey("ends");
            assertThat(ctms.lookup(key("ivan", "IRB-2026-001")).facts()).containsEntry("active", false);
            assertThat(ctms.lookup(key("alice", "IRB-2099-000")).found()).isFalse();
            assertThat(ctms.lookup(key("x' OR '1'='1", "IRB-2026-001")).found()).isFalse();
        }
    }

    private static SourceKey key(String user, String irb) {
        return new SourceKey(user, user, 42, "prod", Optional.of(irb), NOW);
    }

    /** Facts in the order given. */
    static final class OrderedFacts {
        private OrderedFacts() {}

        static Map<String, Object> of(Object... keysAndValues) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                m.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
            return m;
        }
    }
}
