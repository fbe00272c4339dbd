package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.report.AccessReviewReport;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.HeadlessChromium;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report access-review} on a real SQLite store seeded through the command line, with
 * decisions made by the real server answering REDCap's calls over loopback: every column of the
 * CSV, the flags, the filters, the snapshot id, and the HTML page as headless Chromium shows it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessReviewCliTest {

    static final String TEST_URL = "https://redcap-test.example.edu/";

    /** A username a spreadsheet would run as a formula. */
    static final String HOSTILE = "=hyperlink(\"http://x.example/\",\"open\")";

    static final Instant REVIEW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    static Path dir;

    Path config;
    final TestClock clock = new TestClock(Instant.parse("2026-06-01T12:00:00Z"));
    final Cli cli = new Cli(clock);

    @BeforeAll
    void seed() throws Exception {
        String yaml = ServiceUnderTest.prodConfig("""
                  - name: test
                    redcap_url: "*"
                    secret: test-secret-0123456789-XYZ
                """);
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, yaml);
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "alice",
                "--project-id",
                "42",
                "--until",
                "2026-12-20T00:00:00Z",
                "--reason",
                "IRB-2026-001",
                "--by",
                "dr.admin");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "bob",
                "--project-id",
                "42",
                "--reason",
                "IRB-2026-002",
                "--by",
                "dr.admin");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "carol",
                "--all-projects",
                "--reason",
                "data core",
                "--by",
                "cio");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "dave",
                "--all-projects",
                "--reason",
                "never pulls",
                "--by",
                "cio");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "mallory",
                "--project-id",
                "42",
                "--reason",
                "IRB-2026-003",
                "--by",
                "dr.admin");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                HOSTILE,
                "--project-id",
                "42",
                "--reason",
                "@SUM(A1)",
                "--by",
                "-2+3");
        ok(
                "grant",
                "add",
                "--instance",
                "test",
                "--user",
                "erin",
                "--project-id",
                "7",
                "--reason",
                "testing",
                "--by",
                "qa");
        // A grant that ended and one revoked are not active: not in the review.
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "frank",
                "--project-id",
                "42",
                "--until",
                "2026-07-01T00:00:00Z",
                "--reason",
                "short",
                "--by",
                "dr.admin");
        ok(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "gina",
                "--project-id",
                "42",
                "--reason",
                "left",
                "--by",
                "dr.admin");
        ok(
                "grant",
                "revoke",
                "--instance",
                "prod",
                "--user",
                "gina",
                "--project-id",
                "42",
                "--reason",
                "left",
                "--by",
                "dr.admin");

        RedcapClient redcap = new RedcapClient();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml, Map.of(), clock)) {
            String url = service.url(ServiceUnderTest.PROD_SECRET);
            clock.set(Instant.parse("2026-06-02T09:00:00Z"));
            assertThat(redcap.userAccess(url, "bob", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            clock.set(Instant.parse("2026-11-20T10:00:00Z"));
            assertThat(redcap.userAccess(url, "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "carol", 43, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "carol", 44, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "mallory", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "alice", 99, ServiceUnderTest.PROD_URL))
                    .isEqualTo("0");
            clock.set(Instant.parse("2026-11-25T10:00:00Z"));
            assertThat(redcap.userAccess(url, " Alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            String test = service.url("test-secret-0123456789-XYZ");
            assertThat(redcap.userAccess(test, "erin", 7, TEST_URL)).isEqualTo("1");
        }
        clock.set(Instant.parse("2026-11-30T08:00:00Z"));
        ok(
                "project",
                "suspend",
                "--instance",
                "prod",
                "--project-id",
                "44",
                "--reason",
                "IRB lapsed",
                "--by",
                "irb office");
        ok("block", "add", "--user", "mallory", "--reason", "leaver", "--by", "security");
        clock.set(REVIEW);
    }

    @Test
    void theCsvHasOneRowPerActiveGrantWithWhoWhenWhyLastUseAndEveryFlag() {
        List<Map<String, String>> rows =
                csv(ok("report", "access-review", "--format", "csv").out());
        assertThat(rows)
                .extracting(r -> r.get("user"))
                .containsExactly("'" + HOSTILE, "alice", "bob", "carol", "dave", "mallory", "erin");
        assertThat(rows)
                .extracting(r -> r.get("snapshot_id"))
                .allMatch(id -> id.matches("ar1-[0-9a-f]{32}"))
                .containsOnly(rows.get(0).get("snapshot_id"));

        Map<String, String> alice = byUser(rows, "alice");
        assertThat(alice)
                .containsEntry("instance", "prod")
                .containsEntry("project_id", "42")
                .containsEntry("valid_from", "2026-06-01T12:00:00Z")
                .containsEntry("valid_until", "2026-12-20T00:00:00Z")
                .containsEntry("granted_at", "2026-06-01T12:00:00Z")
                .containsEntry("granted_by", "dr.admin")
                .containsEntry("reason", "IRB-2026-001")
                .containsEntry("last_used", "2026-11-25T10:00:00Z")
                .containsEntry("expiring_soon", "yes")
                .containsEntry("unused", "no")
                .containsEntry("blocked", "no")
                .containsEntry("block_reason", "")
                .containsEntry("would_deny", "no")
                .containsEntry("deny_reasons", "")
                .containsEntry("evaluated_projects", "42")
                .containsEntry("evaluation", "allowed");
        assertThat(alice.get("granted_by_process")).startsWith("cli pid ");
        assertThat(alice.get("grant_id")).matches("[0-9A-Z]{26}");

        assertThat(byUser(rows, "bob"))
                .containsEntry("last_used", "2026-06-02T09:00:00Z")
                .containsEntry("expiring_soon", "no")
                .containsEntry("valid_until", "")
                .containsEntry("unused", "yes")
                .containsEntry("would_deny", "no");

        assertThat(byUser(rows, "carol"))
                .as("an every-project grant, evaluated on the projects carol was allowed on lately")
                .containsEntry("project_id", "*")
                .containsEntry("last_used", "2026-11-20T10:00:00Z")
                .containsEntry("unused", "no")
                .containsEntry("evaluated_projects", "43 44")
                .containsEntry("would_deny", "yes")
                .containsEntry("deny_reasons", "project-suspended")
                .containsEntry("evaluation", "project 44: would deny: project-suspended");

        assertThat(byUser(rows, "dave"))
                .containsEntry("last_used", "")
                .containsEntry("unused", "yes")
                .containsEntry("evaluated_projects", "")
                .containsEntry("would_deny", "not evaluated")
                .containsEntry(
                        "evaluation", "not evaluated: every-project grant, no project allowed in the last 90 days");

        assertThat(byUser(rows, "mallory"))
                .containsEntry("blocked", "yes")
                .containsEntry("block_reason", "leaver")
                .containsEntry("would_deny", "yes")
                .containsEntry("deny_reasons", "blocked")
                .containsEntry("evaluation", "would deny: blocked")
                .containsEntry("last_used", "2026-11-20T10:00:00Z");

        assertThat(byUser(rows, "erin"))
                .as("an instance without redcap_url is asked with the URL its calls came with")
                .containsEntry("instance", "test")
                .containsEntry("would_deny", "no")
                .containsEntry("evaluation", "allowed");
    }

    @Test
    void theCsvIsSafeInASpreadsheet() {
        String out = ok("report", "access-review", "--format", "csv").out();
        Map<String, String> hostile = byUser(csv(out), "'" + HOSTILE);
        assertThat(hostile)
                .containsEntry("reason", "'@SUM(A1)")
                .containsEntry("granted_by", "'-2+3")
                .containsEntry("unused", "yes");
        assertThat(csv(out))
                .flatExtracting(Map::values)
                .as("no cell starts a formula")
                .noneMatch(cell -> cell.matches("[=+\\-@].*"));
        assertThat(out).contains("\r\n");
        assertThat(out.lines().findFirst().orElseThrow()).isEqualTo(String.join(",", AccessReviewReport.COLUMNS));
    }

    @Test
    void filtersByInstanceAndByProjectAnEveryProjectGrantThenEvaluatedOnThatProject() {
        assertThat(csv(ok("report", "access-review", "--instance", "test", "--format", "csv")
                        .out()))
                .extracting(r -> r.get("user"))
                .containsExactly("erin");
        List<Map<String, String>> on43 = csv(ok("report", "access-review", "--project-id", "43", "--format", "csv")
                .out());
        assertThat(on43).extracting(r -> r.get("user")).containsExactly("carol", "dave");
        assertThat(on43)
                .allSatisfy(r ->
                        assertThat(r).containsEntry("evaluated_projects", "43").containsEntry("would_deny", "no"));
        assertThat(csv(ok("report", "access-review", "--instance", "test", "--project-id", "42", "--format", "csv")
                        .out()))
                .isEmpty();
    }

    @Test
    void thresholdsAreOptions() {
        List<Map<String, String>> rows =
                csv(ok("report", "access-review", "--expiring-within", "7d", "--unused-for", "200d", "--format", "csv")
                        .out());
        assertThat(byUser(rows, "alice")).containsEntry("expiring_soon", "no");
        assertThat(byUser(rows, "bob")).as("last used 184 days ago").containsEntry("unused", "no");
        assertThat(byUser(rows, "dave")).as("granted 185 days ago, never used").containsEntry("unused", "no");
    }

    @Test
    void theSnapshotIdIsProducedAgainAsOfTheSameTimeAndChangesWithTheStore() throws Exception {
        String first = csv(ok("report", "access-review", "--format", "csv").out())
                .get(0)
                .get("snapshot_id");
        clock.advance(Duration.ofHours(3));
        String asOf = csv(ok("report", "access-review", "--as-of", REVIEW.toString(), "--format", "csv")
                        .out())
                .get(0)
                .get("snapshot_id");
        assertThat(asOf).isEqualTo(first);
        String later = csv(ok("report", "access-review", "--format", "csv").out())
                .get(0)
                .get("snapshot_id");
        assertThat(later).as("a later time is another review").isNotEqualTo(first);
        String filtered = csv(ok(
                                "report",
                                "access-review",
                                "--as-of",
                                REVIEW.toString(),
                                "--instance",
                                "prod",
                                "--format",
                                "csv")
                        .out())
                .get(0)
                .get("snapshot_id");
        assertThat(filtered).isNotEqualTo(first);

        try {
            // A grant that starts next year is not in the review, yet the store is not what it was.
            ok(
                    "grant",
                    "add",
                    "--instance",
                    "prod",
                    "--user",
                    "zed",
                    "--project-id",
                    "5",
                    "--from",
                    "2027-01-01",
                    "--reason",
                    "later");
            List<Map<String, String>> rows =
                    csv(ok("report", "access-review", "--as-of", REVIEW.toString(), "--format", "csv")
                            .out());
            assertThat(rows).hasSize(7);
            assertThat(rows.get(0).get("snapshot_id")).as("the store changed").isNotEqualTo(first);
        } finally {
            clock.set(REVIEW);
        }
    }

    @Test
    void theHtmlPageRendersInChromiumWithTheSummaryFirstAndAsksForNothingOutside() throws Exception {
        Path html = dir.resolve("review.html");
        Cli.Result r = ok("report", "access-review", "--format", "html", "--output", html.toString());
        assertThat(r.err()).contains("wrote 7 grants to " + html.toAbsolutePath());
        assertThat(r.out()).isEmpty();
        String snapshot = csv(ok("report", "access-review", "--format", "csv").out())
                .get(0)
                .get("snapshot_id");
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page)
                .doesNotContain("<script")
                .contains("<td>=hyperlink(&quot;http://x.example/&quot;,&quot;open&quot;)</td>");

        Path screenshot = Path.of("target", "screenshots", "access-review.png");
        HeadlessChromium.Rendered shown = HeadlessChromium.render(html, screenshot);

        assertThat(shown.title()).isEqualTo("Access review");
        assertThat(shown.outsideRequests()).isEmpty();
        assertThat(shown.consoleErrors()).isEmpty();
        assertThat(shown.tableCount()).isEqualTo(5);
        String text = shown.text();
        assertThat(text)
                .contains("Snapshot id\n" + snapshot)
                .contains("Active grants\n7 grants (7 users)")
                .contains("Blocked or would be denied now\n2 grants (2 users)")
                .contains("Could not evaluate\n0 grants")
                .contains("Expiring within 30d\n1 grant\nNot used in 90d\n3 grants")
                .contains("Not used in 90d\n3 grants")
                .contains("Every-project grants not evaluated\n1 grant")
                .contains("as of 2026-12-03T12:00:00Z")
                .contains("project 44: would deny: project-suspended")
                .contains("yes: leaver (since 2026-11-30T08:00:00Z, by security)")
                .contains("cdp-access report access-review --as-of 2026-12-03T12:00:00Z --expiring-within 30d "
                        + "--unused-for 90d --format csv")
                .contains("Reviewed by:");
        assertThat(text.indexOf("Snapshot id")).isLessThan(text.indexOf("Every active grant"));
        assertThat(screenshot).isNotEmptyFile();
    }

    @Test
    void mistakesAreOneLine() {
        for (String[] args : List.of(
                new String[] {"--as-of", "2027-01-01T00:00:00Z"},
                new String[] {"--expiring-within", "0d"},
                new String[] {"--unused-for", "4000d"},
                new String[] {"--unused-for", "soon"},
                new String[] {"--instance", "nope"},
                new String[] {"--project-id", "0"})) {
            List<String> all = new ArrayList<>(
                    List.of("report", "access-review", "--format", "csv", "--config", config.toString()));
            all.addAll(List.of(args));
            Cli.Result r = cli.run(all.toArray(new String[0]));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines())
                    .as(r.toString())
                    .hasSize(1)
                    .first()
                    .asString()
                    .startsWith("cdp-access: ");
            assertThat(r.out()).isEmpty();
        }
        Cli.Result pdf = cli.run("report", "access-review", "--format", "pdf", "--config", config.toString());
        assertThat(pdf.err()).isEqualTo("cdp-access: unknown format 'pdf'; use csv or html\n");
        Cli.Result future = cli.run(
                "report", "access-review", "--format", "csv", "--as-of", "2027-01-01", "--config", config.toString());
        assertThat(future.err()).contains("--as-of 2027-01-01 is in the future");
    }

    /** The CSV's rows as column name to cell, cells unquoted (RFC 4180). */
    static List<Map<String, String>> csv(String text) {
        List<String> lines = text.lines().toList();
        List<String> header = cells(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = cells(line);
            assertThat(cells).as(line).hasSameSizeAs(header);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    static Map<String, String> byUser(List<Map<String, String>> rows, String user) {
        return rows.stream()
                .filter(r -> r.get("user").equals(user))
                .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
                    assertThat(l).as("rows of " + user).hasSize(1);
                    return l.get(0);
                }));
    }

    Cli.Result ok(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        Cli.Result r = cli.run(withConfig);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
