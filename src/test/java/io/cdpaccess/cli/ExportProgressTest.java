package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long commands over the decision and change records show their progress on standard error
 * for a person at a terminal ({@code decisions export} and {@code policy replay} with the total,
 * so with the time left; {@code changes export} without), and print nothing of it otherwise.
 */
class ExportProgressTest {

    private static final Instant START = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path dir;

    private Path config;

    /** A clock a second further on each time it is read: every record shown is half a second past the last. */
    private static final class Ticking extends Clock {
        private Instant now = START;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public synchronized Instant instant() {
            now = now.plusSeconds(1);
            return now;
        }
    }

    private record Result(int exitCode, String out, String err) {}

    @BeforeEach
    void storeWithThreeDecisionsAndAGrant() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789-XYZ
                """);
        assertThat(run(false, "grant", "add", "--user", "alice", "--project-id", "42", "--reason", "IRB-1")
                        .exitCode())
                .isZero();
        Clock clock = Clock.fixed(START, ZoneOffset.UTC);
        try (Database db = Database.open(
                        new StoreConfig(
                                StoreConfig.embeddedUrl(dir.resolve("data")),
                                "",
                                Secret.none(),
                                2,
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(1)),
                        "test");
                DecisionLog log = new DecisionLog(db.dataSource(), clock)) {
            for (String user : new String[] {"alice", "bob", "carol"}) {
                DecisionRecord r = new DecisionRecord(
                        Ids.next(clock),
                        START.minusSeconds(60),
                        Optional.of("prod"),
                        Optional.of(user),
                        Optional.of(user),
                        Optional.of("42"),
                        Optional.of("https://redcap.example.edu/"),
                        "127.0.0.1",
                        "127.0.0.1",
                        Effect.DENY,
                        "no-grant",
                        Optional.empty(),
                        200,
                        100,
                        Optional.empty());
                assertThat(log.append(r, Duration.ofSeconds(5))).isEqualTo(Outcome.COMMITTED);
            }
        }
    }

    private Result run(boolean terminal, String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RootCommand.execute(
                new CliContext(new Ticking(), Map.of(), terminal),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                withConfig);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void decisionsExportAtATerminalShowsRecordsOfTheTotalAndTimeLeftOnStandardErrorOnly() {
        Result export = run(true, "decisions", "export", "--format", "csv");

        assertThat(export.exitCode()).as(export.toString()).isZero();
        assertThat(export.err()).contains("\rexport: 1 of 3 records, ").contains(" left");
        assertThat(export.out()).doesNotContain("export:").doesNotContain("records, ");
        assertThat(export.out().lines()).hasSize(4).anyMatch(l -> l.contains("carol"));
    }

    @Test
    void decisionsExportToAFileAtATerminalShowsProgressThenWhatItWrote() {
        Result export = run(
                true,
                "decisions",
                "export",
                "--format",
                "jsonl",
                "--output",
                dir.resolve("d.jsonl").toString());

        assertThat(export.exitCode()).as(export.toString()).isZero();
        assertThat(export.err()).contains("export: 2 of 3 records").contains("wrote 3 decisions to");
    }

    @Test
    void withoutATerminalExportsAndReplaysPrintNoProgress() {
        Result decisions = run(false, "decisions", "export", "--format", "csv");
        Result changes = run(false, "changes", "export", "--format", "jsonl");
        Result replay = run(false, "policy", "replay");

        assertThat(decisions.exitCode()).isZero();
        assertThat(decisions.err()).isEmpty();
        assertThat(changes.exitCode()).isZero();
        assertThat(changes.err()).isEmpty();
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.err()).isEmpty();
    }

    @Test
    void changesExportAtATerminalCountsRecordsWithoutATotal() {
        Result changes = run(true, "changes", "export", "--format", "csv");

        assertThat(changes.exitCode()).as(changes.toString()).isZero();
        assertThat(changes.err()).contains("\rexport: 1 records, ").doesNotContain(" of ");
        assertThat(changes.out()).doesNotContain("records, ");
    }

    @Test
    void policyReplayAtATerminalShowsRecordsOfTheTotal() {
        Result replay = run(true, "policy", "replay");

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.err()).contains("\rreplay: 1 of 3 records, ");
        assertThat(replay.out()).contains("replayed 0 decisions").doesNotContain("\r");
    }
}
