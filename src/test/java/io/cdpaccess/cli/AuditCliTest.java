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
                audit:
                  checkpoint_file: ./checkpoints.jsonl
                """);
        Cli.Result key = run("audit", "key", "rotate");
        assertThat(key.exitCode()).as(key.toString()).isZero();
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

    @Test
    void eachInvocationThatChangedTheStoreCheckpointsItsChainAndVerifyHoldsTheDatabaseToThem() throws Exception {
        assertThat(Files.readAllLines(dir.resolve("checkpoints.jsonl"))).hasSize(2);

        Cli.Result held = run(
                "audit",
                "verify",
                "--checkpoints",
                dir.resolve("checkpoints.jsonl").toString());
        assertThat(held.exitCode()).as(held.toString()).isZero();
        assertThat(held.out()).contains("all 2 checkpoints hold").contains("all 2 records in 2 chains verify");

        // The newest change removed: the chains alone still verify; the checkpoint does not hold.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/store.db"));
                Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM changes WHERE subject LIKE '%bob%'");
        }
        assertThat(run("audit", "verify").exitCode()).as("without checkpoints").isZero();
        Cli.Result cut = run(
                "audit",
                "verify",
                "--checkpoints",
                dir.resolve("checkpoints.jsonl").toString());
        assertThat(cut.exitCode()).isEqualTo(1);
        assertThat(cut.out())
                .containsPattern(
                        "BREAK changes chain \\S+ place 1: truncated: the checkpoint of \\S+ \\(key [0-9a-f]{16}\\)"
                                + " commits to 1 records; record 1 of the chain is missing")
                .contains("1 of 2 checkpoints do not hold");
    }

    @Test
    void theKeyIsShownWithTheOlderOnesKeptAfterARotation() {
        Cli.Result first = run("audit", "key", "show");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        String id = first.out().lines().findFirst().orElseThrow().replaceAll("checkpoint key (\\S+) .*", "$1");
        assertThat(first.out()).contains("-----BEGIN PUBLIC KEY-----");

        assertThat(run("audit", "key", "rotate").out()).contains("new checkpoint key");
        Cli.Result after = run("audit", "key", "show");
        assertThat(after.out())
                .doesNotStartWith("checkpoint key " + id)
                .contains("older key kept for verifying: " + id);
        Cli.Result held = run(
                "audit",
                "verify",
                "--checkpoints",
                dir.resolve("checkpoints.jsonl").toString());
        assertThat(held.out()).as("checkpoints of the older key still verify").contains("all 2 checkpoints hold");
    }

    @Test
    void aCheckpointFileWithoutCheckpointsOrAGarbledOneIsABadInput() throws Exception {
        Path none = Files.writeString(dir.resolve("none.log"), "nothing here\n");
        Path garbled = Files.writeString(dir.resolve("garbled.log"), "x\n{\"type\":\"cdp-access-checkpoint\"\n");

        Cli.Result empty = run("audit", "verify", "--checkpoints", none.toString());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("holds no checkpoint");
        Cli.Result bad = run("audit", "verify", "--checkpoints", garbled.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("line 2: a checkpoint that cannot be read");
    }

    @Test
    void aPurgeSaysWhatItWouldRemoveThenRemovesItAndTheRecordStillVerifies() {
        clock.advance(Duration.ofDays(7 * 365));
        Cli.Result revoked = run(
                "grant",
                "revoke",
                "--instance",
                "prod",
                "--user",
                "alice",
                "--project-id",
                "42",
                "--reason",
                "left",
                "--by",
                "admin");
        assertThat(revoked.exitCode()).as(revoked.toString()).isZero();

        Cli.Result dry = run("audit", "purge", "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out())
                .containsPattern("would remove 0 decision records and 1 change records from before \\S+Z \\(retention"
                        + " 6y\\); nothing was changed \\(--dry-run\\)")
                .contains("kept 1 older change records: those of grants still in force");
        assertThat(dry.err()).as("no progress line when not at a terminal").isEmpty();
        assertThat(run("audit", "verify").out()).as("nothing changed").contains("all 3 records in 3 chains verify");

        Cli.Result purged = run("audit", "purge", "--by", "carol");
        assertThat(purged.exitCode()).as(purged.toString()).isZero();
        assertThat(purged.out())
                .contains("removed 0 decision records and 1 change records from before")
                .contains("in 1 batches, each recorded as an audit.purge change");
        assertThat(purged.err()).isEmpty();
        Cli.Result verified = run("audit", "verify");
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("all 3 records in 4 chains verify");
        assertThat(run("changes", "list").out()).contains("audit.purge").contains("carol");

        Cli.Result again = run("audit", "purge");
        assertThat(again.out()).startsWith("nothing to remove: no record is older than");
    }

    @Test
    void aPurgeOfARecordThatNoLongerVerifiesIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/store.db"));
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE changes SET actor = 'someone-else' WHERE chain_seq = 1");
        }
        clock.advance(Duration.ofDays(7 * 365));

        Cli.Result refused = run("audit", "purge");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err())
                .contains("audit purge refused: audit verify finds 2 broken chain(s): removing records now would"
                        + " erase the evidence");
    }

    private Cli.Result run(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        return cli.run(withConfig);
    }
}
