package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code audit verify} through the command line, on the embedded store a CLI user has. */
class AuditCliTest {

    @TempDir
    Path dir;

    private Path config;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final Cli cli = new Cli(clock);

    @BeforeEach
    void writeConfigAndTwoInvocationsOfChanges() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789-XYZ
                """);
        for (String user : new String[] {"alice", "bob"}) {
            Cli.Result added = run(
                    "grant",
                    "add",
                    "--instance",
                    "prod",
                    "--user",
                    user,
                    "--project-id",
                    "42",
                    "--reason",
                    "IRB-1",
                    "--by",
                    "admin");
            assertThat(added.exitCode()).as(added.toString()).isZero();
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @Test
    void anUntouchedStoreVerifiesAndSaysWhatItCannotShow() {
        Cli.Result verified = run("audit", "verify");

        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out())
                .contains("all 2 records in 2 chains verify")
                .contains("only a checkpoint held elsewhere shows it");
        assertThat(verified.err()).as("no progress line when not at a terminal").isEmpty();
    }

    @Test
    void anEditedChangeRecordFailsWithTheRecordNamed() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/store.db"));
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE changes SET actor = 'someone-else' WHERE chain_seq = 1");
        }

        Cli.Result verified = run("audit", "verify");

        assertThat(verified.exitCode()).isEqualTo(1);
        assertThat(verified.out())
                .containsPattern("BREAK changes chain \\S+ place 1 \\(\\S+\\): modified: its stored values no longer"
                        + " give its hash")
                .contains("2 chain(s) broken; checked 2 records in 2 chains");
    }

    private Cli.Result run(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        return cli.run(withConfig);
    }
}
