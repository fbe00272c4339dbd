package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.HeadlessChromium;
import io.cdpaccess.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report activity} through the command line on the embedded store: a month's answers
 * recorded by the decision log, read back as CSV (every row and column), as an HTML page opened
 * in headless Chromium, filtered, and refused in one line when the input is wrong.
 */
class ReportActivityCliTest {

    /** What a spreadsheet would run, were it not written as text. */
    static final String HOSTILE = "=HYPERLINK(\"http://evil.example/\")";

    @TempDir
    Path dir;

    private Path config;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final Cli cli = new Cli(clock);

    @BeforeEach
    void recordAMonth() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789-XYZ
                  - name: test
                    redcap_url: https://redcap-test.example.edu/
                    secret: test-secret-0123456789-XYZ
                """);
        StoreConfig store = new StoreConfig(
                StoreConfig.embeddedUrl(dir.resolve("data")),
                "",
                Secret.of(""),
                2,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5));
        Files.createDirectories(dir.resolve("data"));
        try (Database db = Database.open(store, "seed");
                DecisionLog log = new DecisionLog(db.dataSource(), clock)) {
            for (DecisionRecord r : List.of(
                    // 30 days back and one more: outside --since 30d.
                    decision("2026-10-01T15:00:00Z", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                    decision("2026-11-20T15:00:00Z", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                    decision("2026-11-20T15:20:00Z", "prod", "Alice", "42", Effect.ALLOW, "project-rights"),
                    decision("2026-11-21T16:00:00Z", "prod", HOSTILE, "42", Effect.DENY, "no-grant"),
                    decision("2026-11-22T17:00:00Z", "test", "bob", "7", Effect.DENY, "blocked"),
                    refused("2026-11-22T17:05:00Z"))) {
                log.append(r, Duration.ofSeconds(30));
            }
        }
    }

    private Cli.Result run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return cli.run(all);
    }

    @Test
    void csvIsOneTableWithEveryCountRightAndHostileNamesAsText() {
        Cli.Result r = run("report", "activity", "--since", "30d");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.subList(0, 17))
                .containsExactly(
                        "section,key,answers,allows,denies,refused,errors",
                        "total,2026-10-29T12:00:00Z/2026-11-28T12:00:00Z,5,2,2,1,0",
                        "instance,prod,3,2,1,0,0",
                        "instance,test,1,0,1,0,0",
                        "instance,,1,0,0,1,0",
                        "project,42,3,2,1,0,0",
                        "project,7,1,0,1,0,0",
                        "project,,1,0,0,1,0",
                        "user,alice,2,2,0,0,0",
                        "user,\"'=hyperlink(\"\"http://evil.example/\"\")\",1,0,1,0,0",
                        "user,bob,1,0,1,0,0",
                        "user,,1,0,0,1,0",
                        "reason,project-rights,2,2,0,0,0",
                        "reason,blocked,1,0,1,0,0",
                        "reason,no-grant,1,0,1,0,0",
                        "reason,unauthenticated,1,0,0,1,0",
                        // From the 29th of October in Chicago, every day up to today.
                        "day,2026-10-29,0,0,0,0,0");
        assertThat(lines.stream().filter(l -> l.startsWith("day,"))).hasSize(31);
        assertThat(lines)
                .contains(
                        "day,2026-11-20,2,2,0,0,0",
                        "day,2026-11-21,1,0,1,0,0",
                        "day,2026-11-22,2,0,1,1,0",
                        "day,2026-11-28,0,0,0,0,0",
                        // 15:00 UTC is 09:00 in Chicago in November.
                        "hour,09,2,2,0,0,0",
                        "hour,10,1,0,1,0,0",
                        "hour,11,2,0,1,1,0",
                        "hour,15,0,0,0,0,0");
        assertThat(lines.stream().filter(l -> l.startsWith("hour,"))).hasSize(24);
        assertThat(lines).hasSize(17 + 30 + 24);
        assertThat(r.out()).endsWith("\r\n");
    }

    @Test
    void filtersNarrowThePeriodAndTheInstanceAndTopSumsTheRest() {
        Cli.Result test = run("report", "activity", "--since", "2026-11-01", "--instance", "test");
        assertThat(test.exitCode()).as(test.toString()).isZero();
        assertThat(test.out().lines())
                .contains("total,2026-11-01T05:00:00Z/2026-11-28T12:00:00Z,1,0,1,0,0", "user,bob,1,0,1,0,0")
                .noneMatch(l -> l.startsWith("user,alice"))
                .noneMatch(l -> l.startsWith("instance,prod"));

        Cli.Result until = run("report", "activity", "--since", "2026-11-01", "--until", "2026-11-20");
        assertThat(until.out().lines())
                .contains("total,2026-11-01T05:00:00Z/2026-11-21T06:00:00Z,2,2,0,0,0", "day,2026-11-20,2,2,0,0,0")
                .noneMatch(l -> l.startsWith("day,2026-11-21"));

        Cli.Result top = run("report", "activity", "--top", "1");
        assertThat(top.out().lines())
                .contains(
                        "user,alice,2,2,0,0,0",
                        "user,,1,0,0,1,0",
                        "other users,2,2,0,2,0,0",
                        "instance,prod,3,2,1,0,0",
                        "other instances,1,1,0,1,0,0")
                .noneMatch(l -> l.startsWith("user,bob"));
    }

    @Test
    void theHtmlPageRendersWithItsSummaryAndChartsAndNoHostileMarkup() throws Exception {
        Path html = dir.resolve("activity.html");

        Cli.Result r = run("report", "activity", "--format", "html", "--output", html.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("wrote 1 page to ");
        Path screenshot = Path.of("target", "screenshots", "activity.png");
        HeadlessChromium.Rendered shown = HeadlessChromium.render(html, screenshot);
        assertThat(shown.title()).isEqualTo("Activity report");
        assertThat(shown.outsideRequests()).isEmpty();
        assertThat(shown.consoleErrors()).isEmpty();
        assertThat(shown.svgCount())
                .as("answers per day, denies by reason, hours")
                .isEqualTo(3);
        assertThat(shown.text())
                .contains(
                        "Period\n2026-10-29 07:00 to 2026-11-28 06:00 (America/Chicago)",
                        "Instance\nall",
                        "Answers\n5",
                        "Allows\n2",
                        "Denies\n2",
                        "Refused callers\n1",
                        "Errors (503)\n0",
                        "Distinct users\n3",
                        "Distinct projects\n2",
                        "=hyperlink(\"http://evil.example/\")",
                        "(no user: refused or malformed calls)");
        assertThat(Files.readString(html, StandardCharsets.UTF_8))
                .doesNotContain("<a ")
                .contains("<svg");
        assertThat(screenshot).isNotEmptyFile();
    }

    @Test
    void wrongInputIsRefusedInOneLineBeforeTheStoreIsRead() {
        for (String[] args : List.of(
                new String[] {"--top", "0"},
                new String[] {"--top", "10001"},
                new String[] {"--format", "xml"},
                new String[] {"--since", "2026-11-20", "--until", "2026-11-19"},
                new String[] {"--instance", "staging"},
                new String[] {"--since", "yesterday"})) {
            String[] line = new String[args.length + 2];
            line[0] = "report";
            line[1] = "activity";
            System.arraycopy(args, 0, line, 2, args.length);
            Cli.Result r = run(line);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines()).as(r.toString()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(run("report", "activity", "--top", "0").err())
                .isEqualTo("cdp-access: --top must be between 1 and 10000\n");
        assertThat(run("report", "activity", "--since", "2026-11-20", "--until", "2026-11-19")
                        .err())
                .isEqualTo("cdp-access: --since 2026-11-20 is not before --until 2026-11-19\n");
    }

    private static DecisionRecord decision(
            String at, String instance, String user, String project, Effect effect, String reason) {
        return new DecisionRecord(
                Ids.next(java.time.Clock.systemUTC()),
                Instant.parse(at),
                Optional.of(instance),
                Optional.of(user),
                Optional.of(Username.normalize(user)),
                Optional.of(project),
                Optional.of("https://redcap.example.edu/"),
                "10.1.2.3",
                "10.1.2.3",
                effect,
                reason,
                Optional.empty(),
                200,
                150,
                Optional.empty());
    }

    private static DecisionRecord refused(String at) {
        return new DecisionRecord(
                Ids.next(java.time.Clock.systemUTC()),
                Instant.parse(at),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "203.0.113.9",
                "203.0.113.9",
                Effect.REJECTED,
                "unauthenticated",
                Optional.empty(),
                403,
                12,
                Optional.empty());
    }
}
