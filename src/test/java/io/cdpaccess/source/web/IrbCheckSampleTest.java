package io.cdpaccess.source.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.config.WebSettings;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.whatif.PolicyCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sample {@code config/samples/irb-check.yaml}: it validates, its policy passes its
 * own cases through {@code policy test}, every rule decides one of them, and its {@code irb}
 * source, pointed at a local endpoint instead of irb.example.edu, asks as documented and reads
 * the answer its comments show.
 */
class IrbCheckSampleTest {

    static final Path SAMPLE = Path.of("config/samples/irb-check.yaml");
    static final Path CASES = Path.of("config/samples/irb-check.cases.yaml");
    static final String TOKEN = "irb-token-0123456789abcdef0123456789";
    static final Map<String, String> ENV = Map.of(
            "CDP_ACCESS_PROD_SECRET", "an-example-secret-0123456789-XYZ",
            "REDCAP_DB_PASSWORD", "db-pass-0123456789abcdef",
            "IRB_TOKEN", TOKEN);

    @TempDir
    Path dir;

    final Cli cli = new Cli(new TestClock(Instant.parse("2026-12-01T18:00:00Z")), ENV);

    @Test
    void theSampleValidates() {
        Cli.Result r = cli.run("config", "validate", "--config", SAMPLE.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("8 rules").contains("irb").contains("redcap");
        assertThat(r.toString()).doesNotContain(TOKEN);
    }

    @Test
    void itsPolicyPassesItsCasesAndEveryRuleDecidesOne() throws Exception {
        Cli.Result r = cli.run("policy", "test", "--config", SAMPLE.toString(), CASES.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("10 passed, 0 failed");

        ServiceConfig c = new ConfigLoader(ENV).load(SAMPLE);
        CompiledPolicy policy = Policies.compile(c);
        List<PolicyCases.Outcome> outcomes = PolicyCases.run(policy, PolicyCases.read(CASES));
        assertThat(outcomes.stream().map(PolicyCases.Outcome::actualRule).distinct())
                .containsAll(c.policy().orElseThrow().rules().stream()
                        .map(rule -> rule.name())
                        .toList());
    }

    @Test
    void itsIrbSourceAsksWithTheProjectsIrbNumberAndReadsTheDocumentedAnswer() throws Exception {
        try (TestEndpoint irb = TestEndpoint.http()) {
            irb.answer(TestEndpoint.json(200, """
                    {"protocol": {"number": "IRB-2026-001", "status": "Approved", "expires_on": "2027-06-30"},
                     "person": {"approved": true, "role": "Co-Investigator"}}
                    """));
            Path local = dir.resolve("irb-check.yaml");
            Files.writeString(local, Files.readString(SAMPLE).replace("https://irb.example.edu", irb.url("")));
            ServiceConfig c = new ConfigLoader(ENV).load(local);
            SourceConfig source = c.sources().get(1);
            assertThat(source.name()).isEqualTo("irb");
            assertThat(source.dependencies()).containsExactly("redcap");
            assertThat(((WebSettings) source.settings()).maxResponseBytes()).isEqualTo(65536);

            SourceAnswer answer;
            try (SourceClient client = new WebSource().open(source, Clock.systemUTC())) {
                answer = client.lookup(new SourceKey(
                        "alice",
                        "alice",
                        42,
                        "prod",
                        Optional.of("IRB-2026-001"),
                        Instant.parse("2026-12-01T18:00:00Z")));
            }
            assertThat(irb.last().rawPath()).isEqualTo("/api/protocols/IRB-2026-001/personnel/alice");
            assertThat(irb.last().header("Authorization")).isEqualTo("Bearer " + TOKEN);
            Instant end = FactFields.endOfDay(LocalDate.of(2027, 6, 30), ZoneId.of("America/Chicago"));
            assertThat(end).isEqualTo(Instant.parse("2027-07-01T05:00:00Z"));
            assertThat(answer)
                    .isEqualTo(new SourceAnswer(
                            true,
                            Map.of(
                                    "found",
                                    true,
                                    "approved",
                                    true,
                                    "status",
                                    "Approved",
                                    "expires_on",
                                    end,
                                    "role",
                                    "Co-Investigator"),
                            Optional.of(end)));
        }
    }
}
