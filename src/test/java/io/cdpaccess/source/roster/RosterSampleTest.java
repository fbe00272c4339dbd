package io.cdpaccess.source.roster;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sample {@code config/samples/ehr-roster.yaml}: it validates, its policy passes its
 * own cases through {@code policy test}, and its two roster sources look users up in the sample
 * files it names, also through {@code sources test}.
 */
class RosterSampleTest {

    static final Path DIR = Path.of("config/samples");
    static final Path SAMPLE = DIR.resolve("ehr-roster.yaml");
    static final Path CASES = DIR.resolve("ehr-roster.cases.yaml");
    static final Map<String, String> ENV = Map.of("CDP_ACCESS_PROD_SECRET", "an-example-secret-0123456789-XYZ");
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");

    final Cli cli = new Cli(new TestClock(NOW), ENV);

    @TempDir
    Path dir;

    @Test
    void theSampleValidates() {
        Cli.Result r = cli.run("config", "validate", "--config", SAMPLE.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void itsPolicyPassesItsCases() {
        Cli.Result r = cli.run("policy", "test", "--config", SAMPLE.toString(), CASES.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("8 passed");
    }

    @Test
    void itsSourcesFindUsersInTheSampleFiles() throws Exception {
        ServiceConfig c = new ConfigLoader(ENV).load(SAMPLE);
        SourceConfig ehr = c.sources().get(0);
        SourceConfig training = c.sources().get(1);
        RosterSource kind = new RosterSource();
        try (SourceClient e = kind.open(ehr, new TestClock(NOW));
                SourceClient t = kind.open(training, new TestClock(NOW))) {
            SourceAnswer alice = e.lookup(key("Alice"));
            assertThat(alice.facts())
                    .containsEntry("active", true)
                    .containsEntry("department", "Cardiology")
                    .containsEntry("roles", List.of("Physician", "PI"));
            assertThat(e.lookup(key("carol")).facts()).containsEntry("active", false);
            assertThat(e.lookup(key("dave")).facts()).doesNotContainKey("roles");
            assertThat(t.lookup(key("alice")).facts())
                    .containsEntry("expires_on", Instant.parse("2027-01-16T06:00:00Z"));
            assertThat(t.lookup(key("dave")).found()).isFalse();
        }
    }

    @Test
    void sourcesTestLooksUpInTheFilesAndNamesAMalformedOnesLineAndColumn() throws Exception {
        Cli.Result good = cli.run("sources", "test", "--config", SAMPLE.toString(), "--user", "alice");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(good.out())
                .contains("ehr (roster): found as alice in ")
                .contains("department=Cardiology")
                .contains("training (roster): found as alice in ");

        Path config = dir.resolve("ehr-roster.yaml");
        Files.copy(SAMPLE, config);
        Files.copy(DIR.resolve("ehr-users.csv"), dir.resolve("ehr-users.csv"));
        Files.writeString(
                dir.resolve("training.csv"),
                "username,course,completed_on,expires_on\nalice,HIPAA,2026-01-15,15/01/2027\n");
        Cli.Result bad = cli.run("sources", "test", "--config", config.toString(), "--user", "alice");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.out())
                .contains("training (roster): FAILED as alice after ")
                .contains("no good roster loaded yet: refused training.csv line 2, column 4 (expires_on): expected a"
                        + " date such as 2026-06-30, not '15/01/2027'");
    }

    static SourceKey key(String user) {
        return new SourceKey(user, user, 42, "prod", Optional.empty(), NOW);
    }
}
