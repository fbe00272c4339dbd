package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.net.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code audit:} section: where checkpoints go and how often. */
class AuditConfigTest {

    private static final String HEAD = """
            instances:
              - name: prod
                redcap_url: https://redcap.example.edu/
                secret: prod-secret-0123456789abcdef
            """;

    @TempDir
    Path dir;

    private ServiceConfig load(String yaml) throws Exception {
        Path file = dir.resolve("cdp-access.yaml");
        Files.writeString(file, HEAD + yaml);
        return new ConfigLoader(Map.of()).load(file);
    }

    @Test
    void withoutTheSectionCheckpointsGoToTheLogEveryFiveMinutes() throws Exception {
        assertThat(load("").audit()).isEqualTo(AuditConfig.DEFAULT);
        assertThat(AuditConfig.DEFAULT.checkpointEvery()).isEqualTo(Duration.ofMinutes(5));
        assertThat(AuditConfig.DEFAULT.retention()).as("HIPAA's six years").isEqualTo(Period.ofYears(6));
    }

    @Test
    void readsEveryKey() throws Exception {
        AuditConfig audit = load("""
                audit:
                  checkpoint_every: 1m
                  checkpoint_file: ./checkpoints.jsonl
                  checkpoint_syslog: udp://127.0.0.1:514
                  retention: 2190d
                """).audit();
        assertThat(audit.retention()).isEqualTo(Period.ofDays(2190));
        assertThat(audit.checkpointEvery()).isEqualTo(Duration.ofMinutes(1));
        assertThat(audit.checkpointFile()).contains(dir.resolve("checkpoints.jsonl"));
        assertThat(audit.checkpointSyslog()).isEqualTo(Optional.of(new HostPort("127.0.0.1", 514)));
    }

    @Test
    void refusesWhatCannotWorkEachWithItsLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
                audit:
                  checkpoint_every: 1s
                  checkpoint_file: ./no-such-dir/checkpoints.jsonl
                  checkpoint_syslog: tcp://syslog.example.edu:514
                  checkpoints: yes
                """));
        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).contains(":6: audit.checkpoint_every: must be between 10s and 1d"))
                .anySatisfy(p -> assertThat(p)
                        .contains(":7: audit.checkpoint_file: its directory")
                        .contains("does not exist"))
                .anySatisfy(p -> assertThat(p).contains(":8: audit.checkpoint_syslog: expected udp://host:514"))
                .anySatisfy(p -> assertThat(p).contains(":9: audit.checkpoints: unknown key"));
    }

    @Test
    void aRetentionIsYearsOrDaysAndNeverShorterThanThirtyDays() {
        for (String[] bad : new String[][] {
            {"7d", "must be between 30d and 100y"},
            {"0y", "must be between 30d and 100y"},
            {"101y", "must be between 30d and 100y"},
            {"6 years", "expected years or days, such as 6y or 2190d"},
            {"72h", "expected years or days, such as 6y or 2190d"}
        }) {
            ConfigException e =
                    catchThrowableOfType(ConfigException.class, () -> load("audit:\n  retention: " + bad[0] + "\n"));
            assertThat(e.problems()).singleElement().asString().contains(":6: audit.retention: " + bad[1]);
        }
    }

    @Test
    void theCutoffIsTheRetentionBackInCalendarTerms() throws Exception {
        AuditConfig sixYears = load("audit:\n  retention: 6y\n").audit();
        AuditConfig thirtyDays = load("audit:\n  retention: 30d\n").audit();
        Instant now = Instant.parse("2032-03-01T12:00:00Z");

        assertThat(sixYears.retentionCutoff(now)).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(thirtyDays.retentionCutoff(now)).isEqualTo(Instant.parse("2032-01-31T12:00:00Z"));
        assertThat(AuditConfig.format(sixYears.retention())).isEqualTo("6y");
        assertThat(AuditConfig.format(thirtyDays.retention())).isEqualTo("30d");
    }
}
