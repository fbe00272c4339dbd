package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The administrator's command line, in process against a real SQLite store: what each command
 * changes, what {@code check} then answers, and how bad input is refused without changing anything.
 */
class CliTest {

    static final String PROD_URL = "https://redcap.example.edu/";
    static final String TEST_URL = "https://redcap-test.example.edu/";

    @TempDir
    Path dir;

    Path config;
    // 2026-11-28 06:00 in Chicago.
    final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
    Cli cli;

    @BeforeEach
    void writeConfig() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                store:
                  refresh_interval: 100ms
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: prod-secret-0123456789-XYZ
                  - name: test
                    redcap_url: %s
                    secret: test-secret-0123456789-XYZ
                """.formatted(PROD_URL, TEST_URL));
        cli = new Cli(clock);
    }

    Cli.Result run(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        return cli.run(withConfig);
    }

    Cli.Result check(String user, String pid, String url) {
        return run("check", "--user", user, "--project-id", pid, "--redcap-url", url);
    }

    @Test
    void aGrantUntilADateLastsToTheEndOfThatDayInTheConfiguredZone() {
        Cli.Result added = run(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "Alice",
                "--project-id",
                "42",
                "--until",
                "2027-06-30",
                "--reason",
                "IRB-123",
                "--by",
                "admin");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        // Midnight at the end of June 30th in Chicago (CDT, UTC-5).
        assertThat(added.out()).contains("alice").contains("until 2027-07-01T05:00:00Z");

        clock.set(Instant.parse("2027-07-01T04:59:59.999Z"));
        Cli.Result lastMoment = check("alice", "42", PROD_URL);
        clock.set(Instant.parse("2027-07-01T05:00:00Z"));
        Cli.Result after = check("alice", "42", PROD_URL);

        assertThat(lastMoment.exitCode()).isZero();
        assertThat(lastMoment.out()).startsWith("1\n").contains("reason:   grant");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.out()).startsWith("0\n").contains("grant-expired");
    }

    @Test
    void aGrantFromADateStartsAtTheBeginningOfThatDay() {
        run(
                "grant",
                "add",
                "--user",
                "bob",
                "--instance",
                "prod",
                "--project-id",
                "7",
                "--from",
                "2026-12-01",
                "--reason",
                "starts later");

        clock.set(Instant.parse("2026-12-01T05:59:59.999Z")); // 23:59:59.999 on Nov 30th in Chicago (CST)
        assertThat(check("bob", "7", PROD_URL).out()).startsWith("0\n").contains("grant-not-yet-valid");
        clock.set(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(check("bob", "7", PROD_URL).out()).startsWith("1\n");
    }

    @Test
    void revokingKeepsTheGrantOnRecordAndWarnsAboutAnotherGrantThatStillCovers() {
        run("grant", "add", "--instance", "prod", "--user", "carol", "--project-id", "42", "--reason", "r1");
        run("grant", "add", "--instance", "prod", "--user", "carol", "--all-projects", "--reason", "r2");

        Cli.Result revoked = run(
                "grant",
                "revoke",
                "--instance",
                "prod",
                "--user",
                "CAROL",
                "--project-id",
                "42",
                "--reason",
                "left the study",
                "--by",
                "irb-office");

        assertThat(revoked.exitCode()).as(revoked.toString()).isZero();
        assertThat(revoked.out()).contains("revoked").contains("still has access to project 42");
        assertThat(check("carol", "42", PROD_URL).out()).startsWith("1\n"); // through the every-project grant

        run("grant", "revoke", "--instance", "prod", "--user", "carol", "--all-projects", "--reason", "offboarded");
        assertThat(check("carol", "42", PROD_URL).out()).startsWith("0\n").contains("grant-revoked");
        Cli.Result all = run("grant", "list", "--user", "carol", "--all");
        assertThat(all.out().lines().filter(l -> l.contains("revoked"))).hasSize(2);
        assertThat(run("grant", "list", "--user", "carol").out().lines()).hasSize(1); // header only
    }

    @Test
    void extendingAGrantKeepsItAllowingPastItsOldEndAndTheChangeIsOnRecord() {
        clock.set(Instant.parse("2026-11-01T12:00:00Z"));
        run(
                "grant",
                "add",
                "--instance",
                "prod",
                "--user",
                "nora",
                "--project-id",
                "5",
                "--until",
                "2026-11-30",
                "--reason",
                "IRB-5");

        Cli.Result extended = run(
                "grant",
                "extend",
                "--instance",
                "prod",
                "--user",
                "nora",
                "--project-id",
                "5",
                "--until",
                "2027-05-31",
                "--reason",
                "IRB-5 renewed",
                "--by",
                "irb-office");

        assertThat(extended.exitCode()).as(extended.toString()).isZero();
        assertThat(extended.out()).contains("extended", "nora", "project 5 until 2027-06-01T05:00:00Z");
        clock.set(Instant.parse("2026-12-15T12:00:00Z"));
        assertThat(check("nora", "5", PROD_URL).out()).startsWith("1\n");
        assertThat(run("changes", "list", "--action", "grant.extend").out())
                .contains("grant.extend", "IRB-5 renewed", "irb-office");

        Cli.Result again = run(
                "grant",
                "extend",
                "--instance",
                "prod",
                "--user",
                "nora",
                "--project-id",
                "5",
                "--until",
                "2027-01-31",
                "--reason",
                "shorter");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("no current grant matching prod/nora project=5 ends before");
        assertThat(run("grant", "extend", "--id", "x", "--user", "nora", "--until", "2027-12-31", "--reason", "r")
                        .err())
                .contains("give either --id, or --user");
        assertThat(run("grant", "extend", "--id", "x", "--until", "2026-01-01", "--reason", "r")
                        .err())
                .contains("is already past; to end access now use grant revoke");
    }

    @Test
    void revokeById() {
        Cli.Result added =
                run("grant", "add", "--instance", "test", "--user", "dave", "--project-id", "3", "--reason", "r");
        String id = added.out().split(" ")[1].replace(":", "");

        Cli.Result revoked = run("grant", "revoke", "--id", id, "--reason", "mistake");

        assertThat(revoked.exitCode()).as(revoked.toString()).isZero();
        assertThat(check("dave", "3", TEST_URL).out()).contains("grant-revoked");
        assertThat(run("grant", "revoke", "--id", id, "--reason", "again").exitCode())
                .isEqualTo(2);
    }

    @Test
    void suspendingAProjectDeniesEveryoneUntilApprovedAgainKeepingItsIrbNumber() {
        run("grant", "add", "--instance", "prod", "--user", "erin", "--project-id", "9", "--reason", "r");
        run(
                "project",
                "approve",
                "--instance",
                "prod",
                "--project-id",
                "9",
                "--irb",
                "IRB-2026-001",
                "--until",
                "2027-12-31");

        Cli.Result suspended =
                run("project", "suspend", "--instance", "prod", "--project-id", "9", "--reason", "audit");
        assertThat(suspended.out()).contains("suspended").contains("IRB-2026-001");
        assertThat(check("erin", "9", PROD_URL).out()).startsWith("0\n").contains("project-suspended");

        run("project", "approve", "--instance", "prod", "--project-id", "9");
        assertThat(check("erin", "9", PROD_URL).out()).startsWith("1\n");
        assertThat(run("project", "list").out()).contains("IRB-2026-001").contains("approved");

        clock.set(Instant.parse("2028-01-01T06:00:00Z")); // the approval ended at midnight in Chicago
        assertThat(check("erin", "9", PROD_URL).out()).contains("project-expired");
        assertThat(run("project", "list").out()).contains("expired");
    }

    @Test
    void aBlockOverridesEveryGrantUntilRemoved() {
        run("grant", "add", "--instance", "prod", "--user", "frank", "--all-projects", "--reason", "r");

        assertThat(run("block", "add", "--user", " FRANK ", "--reason", "account compromised")
                        .out())
                .contains("blocked frank");
        assertThat(run("block", "add", "--user", "frank", "--reason", "again").out())
                .contains("already blocked");
        assertThat(check("frank", "1", PROD_URL).out()).startsWith("0\n").contains("blocked");

        assertThat(run("block", "remove", "--user", "frank", "--reason", "password reset")
                        .exitCode())
                .isZero();
        assertThat(check("frank", "1", PROD_URL).out()).startsWith("1\n");
        assertThat(run("block", "list").out().lines()).hasSize(1);
        assertThat(run("block", "list", "--all").out())
                .contains("account compromised")
                .contains("frank");
        assertThat(run("block", "remove", "--user", "frank", "--reason", "x").exitCode())
                .isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "grant add --instance prd --user a --project-id 1 --reason r",
                "grant add --instance prod --user a --project-id abc --reason r",
                "grant add --instance prod --user a --project-id 0 --reason r",
                "grant add --instance prod --user a --project-id 1 --all-projects --reason r",
                "grant add --instance prod --user a --project-id 1",
                "grant add --instance prod --user a --project-id 1 --reason r --until 2026-11-01",
                "grant add --instance prod --user a --project-id 1 --reason r --from 2027-02-01 --until 2027-01-01",
                "grant add --instance prod --user a --project-id 1 --reason r --until tomorrow",
                "grant add --user a --project-id 1 --reason r",
                "grant add --instance prod --user   --project-id 1 --reason r",
                "grant add --instance prod --user a --project-id 1 --reason   ",
                "grant revoke --instance prod --user a --project-id 1 --reason r",
                "project approve --instance prod --project-id -4",
                "decisions list --effect maybe",
                "decisions export --format xml"
            })
    void badInputIsOneLineNonZeroAndChangesNothing(String line) {
        List<String> args = new java.util.ArrayList<>(List.of(line.split(" +")));
        if (line.contains("--user   ")) {
            args.add(args.indexOf("--user") + 1, " ");
        }
        if (line.endsWith("--reason   ")) {
            args.add(" ");
        }
        Cli.Result r = run(args.toArray(new String[0]));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("cdp-access:"))).hasSize(1);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run("grant", "list", "--all").out().lines()).hasSize(1);
        assertThat(run("project", "list").out().lines()).hasSize(1);
    }

    @Test
    void checkNeedsAnInstanceWhenTheUrlBindsNone() {
        Cli.Result r = check("alice", "42", "https://unknown.example.edu/");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--instance");
    }

    @Test
    void checkRefusesWhatTheEndpointWouldRefuse() {
        Cli.Result r = check("alice", "4x2", PROD_URL);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("bad-request").contains("project_id");
    }

    @Test
    void configValidateWarnsWithoutFailingAboutOpenProxiesPlainHttpOnEveryInterfaceAndAnInMemoryStore()
            throws Exception {
        Path risky = dir.resolve("risky.yaml");
        Files.writeString(risky, """
                listen: 0.0.0.0:8080
                data_dir: ./data
                store:
                  url: "jdbc:sqlite::memory:"
                trusted_proxies: [10.0.0.1/32, 0.0.0.0/0, "::/0"]
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: prod-secret-0123456789-XYZ
                """.formatted(PROD_URL));

        Cli.Result validated = cli.run("config", "validate", "--config", risky.toString());

        assertThat(validated.exitCode()).isZero();
        assertThat(validated.out().lines().filter(l -> l.startsWith("warning: ")))
                .anySatisfy(l -> assertThat(l).contains("trusted_proxies: 0.0.0.0/0 covers every address"))
                .anySatisfy(l -> assertThat(l).contains("trusted_proxies: ::/0 covers every address"))
                .anySatisfy(l -> assertThat(l).contains("listen: 0.0.0.0:8080").contains("plain HTTP"))
                .anySatisfy(l -> assertThat(l).contains("store.url").contains("in-memory"))
                .noneSatisfy(l -> assertThat(l).contains("10.0.0.1/32"));
        // The usual loopback configuration has none of these warnings.
        assertThat(run("config", "validate").out()).doesNotContain("covers every address", "plain HTTP", "in-memory");
    }

    @Test
    void configValidateSaysOkOrListsEveryProblemWithItsLine() throws Exception {
        Cli.Result ok = run("config", "validate");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out())
                .startsWith("OK ")
                .contains("2 instance(s) (prod, test)")
                .contains("metrics: GET /metrics readable from 127.0.0.0/8, ::1/128");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                listen: 127.0.0.1:99999
                instances:
                  - name: prod
                    redcap_url: ftp://x/
                    secret: tiny-sec
                    alow_from: [10.0.0.0/8]
                """);
        Cli.Result broken = cli.run("config", "validate", "--config", bad.toString());

        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err())
                .contains("bad.yaml:1: listen")
                .contains("bad.yaml:4: instances[0].redcap_url")
                .contains("bad.yaml:5: instances[0].secret")
                .contains("bad.yaml:6: instances[0].alow_from")
                .doesNotContain("tiny-sec");
    }

    @Test
    void decisionsCanBeListedFilteredAndExportedAsCsvAndJsonLines() throws Exception {
        run("grant", "add", "--instance", "prod", "--user", "alice", "--project-id", "42", "--reason", "r");
        RedcapClient redcap = new RedcapClient();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, Files.readString(config), Map.of(), clock)) {
            String url = service.url("prod-secret-0123456789-XYZ");
            assertThat(redcap.userAccess(url, "alice", 42, PROD_URL)).isEqualTo("1");
            assertThat(redcap.userAccess(url, "=HYPERLINK(\"http://x\")", 42, PROD_URL))
                    .isEqualTo("0");
            assertThat(redcap.userAccess(url.replace("prod-secret", "nope"), "alice", 42, PROD_URL))
                    .isEqualTo("0");
        }
        clock.advance(Duration.ofHours(2));

        Cli.Result list = run("decisions", "list");
        assertThat(list.out().lines()).hasSize(4);
        assertThat(run("decisions", "list", "--user", "ALICE").out().lines()).hasSize(2);
        assertThat(run("decisions", "list", "--effect", "rejected").out()).contains("unauthenticated");
        assertThat(run("decisions", "list", "--since", "1h").out().lines()).hasSize(1);

        Path csv = dir.resolve("out.csv");
        Cli.Result export = run("decisions", "export", "--format", "csv", "--output", csv.toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertThat(rows.get(0)).startsWith("decision_id,decided_at,instance,user");
        assertThat(rows).hasSize(4);
        assertThat(rows).anyMatch(row -> row.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",")); // never a live formula

        Cli.Result jsonl = run("decisions", "export", "--format", "jsonl", "--user", "alice");
        List<String> lines = jsonl.out().lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode row = new ObjectMapper().readTree(lines.get(0));
        assertThat(row.get("effect").asText()).isEqualTo("allow");
        assertThat(row.get("project_id").asText()).isEqualTo("42");
        assertThat(row.get("http_status").asInt()).isEqualTo(200);
    }

    @Test
    void listsAndMessagesShowBidiOverridesAndZeroWidthCharactersEscapedNeverRaw() throws Exception {
        String spoof = "\u202enimda"; // a terminal shows "admin"
        String hidden = "al\u200bice"; // looks like alice
        List<Cli.Result> shown = new java.util.ArrayList<>();
        shown.add(run(
                "grant", "add", "--instance", "prod", "--user", spoof, "--project-id", "42", "--reason", "r\u2066x"));
        shown.add(run("block", "add", "--user", hidden, "--reason", "r", "--by", "ad\u200dmin"));
        shown.add(run("block", "add", "--user", hidden, "--reason", "again"));
        shown.add(run(
                "project",
                "approve",
                "--instance",
                "prod",
                "--project-id",
                "42",
                "--irb",
                "IRB\ufeff1",
                "--note",
                "n"));
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, Files.readString(config), Map.of(), clock)) {
            assertThat(new RedcapClient().userAccess(service.url("prod-secret-0123456789-XYZ"), spoof, 42, PROD_URL))
                    .isEqualTo("1");
        }
        shown.add(check(spoof, "42", PROD_URL));
        shown.add(run("grant", "list"));
        shown.add(run("block", "list"));
        shown.add(run("project", "list"));
        shown.add(run("decisions", "list"));

        for (Cli.Result r : shown) {
            assertThat(r.out() + r.err())
                    .as(r.toString())
                    .doesNotContain("\u202e")
                    .doesNotContain("\u200b")
                    .doesNotContain("\u200d")
                    .doesNotContain("\u2066")
                    .doesNotContain("\ufeff");
        }
        assertThat(run("grant", "list").out()).contains("\"\\u202enimda\"").contains("\"r\\u2066x\"");
        assertThat(run("block", "list").out()).contains("\"al\\u200bice\"").contains("\"ad\\u200dmin\"");
        assertThat(run("decisions", "list").out()).contains("\"\\u202enimda\"");
    }

    @Test
    void anErrorMessageQuotingWhatWasTypedStaysOneLine() {
        Cli.Result r = run("grant", "list", "--instance", "prod\nINFO all fine\u202e");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("prod\\nINFO all fine\\u202e").doesNotContain("\u202e");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redcap-prod-2026-123456|secret is too easy to guess",
                // an `openssl rand -base64 32` output with a +: it would arrive as a space
                "q8Yb+Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3w0|secret contains '+', which a URL changes"
            })
    void validateAndServeRefuseASecretThatIsWeakOrThatAUrlChanges(String secretAndProblem) throws Exception {
        String[] parts = secretAndProblem.split("\\|");
        Path config = dir.resolve("weak.yaml");
        io.cdpaccess.testing.PrivateFiles.write(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: "%s"
                """.formatted(parts[0]));

        Cli.Result validate = cli.run("config", "validate", "--config", config.toString());
        Cli.Result serve = cli.run("serve", "--config", config.toString());

        for (Cli.Result r : new Cli.Result[] {validate, serve}) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err())
                    .contains("weak.yaml:6: instances[0].secret: " + parts[1])
                    .contains("cdp-access config new-secret")
                    .doesNotContain(parts[0]);
        }
        assertThat(dir.resolve("data")).doesNotExist(); // serve refused before opening anything
    }

    @Test
    void serveOnAnAddressInUseOrNotOfThisHostSaysSoInOneLineAndExits2() throws Exception {
        Path config = io.cdpaccess.testing.PrivateFiles.write(
                dir.resolve("cdp-access.yaml"), """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                """.formatted(io.cdpaccess.testing.ServiceUnderTest.PROD_SECRET));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            Cli.Result r = cli.run("serve", "--listen", address, "--config", config.toString());

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines().toList())
                    .singleElement()
                    .asString()
                    .contains(address)
                    .contains("already in use")
                    .doesNotContain("unexpected failure");
        }
        // An address this host does not have (TEST-NET-1) is the other slip a person makes.
        Cli.Result elsewhere = cli.run("serve", "--listen", "192.0.2.1:8443", "--config", config.toString());
        assertThat(elsewhere.exitCode()).as(elsewhere.toString()).isEqualTo(2);
        assertThat(elsewhere.err())
                .isEqualTo("cdp-access: cannot listen on 192.0.2.1:8443: 192.0.2.1 is not an address of this host;"
                        + " use one of its addresses, or 0.0.0.0 for all\n");
    }

    @Test
    void newSecretPrintsAUrlSafeSecretThatTheConfigurationAcceptsAndItsHash() throws Exception {
        Cli.Result r = cli.run("config", "new-secret");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        java.util.regex.Matcher secret = java.util.regex.Pattern.compile("(?m)^secret: ([A-Za-z0-9_-]{43})$")
                .matcher(r.out());
        assertThat(secret.find()).as(r.out()).isTrue();
        java.util.regex.Matcher hash = java.util.regex.Pattern.compile("(?m)^sha256: (sha256:[0-9a-f]{64})$")
                .matcher(r.out());
        assertThat(hash.find()).as(r.out()).isTrue();
        assertThat(io.cdpaccess.config.CallerSecret.parse(hash.group(1)).matches(secret.group(1)))
                .isTrue();
        assertThat(io.cdpaccess.config.CallerSecret.parse(secret.group(1)).plainText())
                .contains(secret.group(1));
        assertThat(cli.run("config", "new-secret").out()).doesNotContain(secret.group(1));
    }

    @Test
    void hashSecretRefusesASecretTooWeakToHash() throws Exception {
        java.io.InputStream stdin = System.in;
        Cli.Result r;
        try {
            System.setIn(new java.io.ByteArrayInputStream("password-123\n".getBytes(StandardCharsets.UTF_8)));
            r = cli.run("config", "hash-secret");
        } finally {
            System.setIn(stdin);
        }

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("secret is too easy to guess").doesNotContain("password-123");
    }

    @Test
    void hashSecretPrintsTheSha256FormThatAuthenticatesTheSameSecret() throws Exception {
        java.io.InputStream stdin = System.in;
        Cli.Result r;
        try {
            System.setIn(new java.io.ByteArrayInputStream(
                    "a-long-enough-Secret-0123456789\n".getBytes(StandardCharsets.UTF_8)));
            r = cli.run("config", "hash-secret");
        } finally {
            System.setIn(stdin);
        }

        assertThat(r.exitCode()).as(r.toString()).isZero();
        String hashed = r.out().strip();
        assertThat(hashed).matches("sha256:[0-9a-f]{64}").doesNotContain("a-long-enough");
        assertThat(io.cdpaccess.config.CallerSecret.parse(hashed).matches("a-long-enough-Secret-0123456789"))
                .isTrue();
    }

    @Test
    void withoutConfigTheEmbeddedSetupIsCreatedInTheDataDir() throws Exception {
        Path data = dir.resolve("embedded");

        Cli.Result r = cli.run(
                "grant",
                "add",
                "--data-dir",
                data.toString(),
                "--user",
                "zoe",
                "--project-id",
                "5",
                "--reason",
                "first");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(data.resolve("cdp-access.yaml")).exists();
        assertThat(cli.run("grant", "list", "--data-dir", data.toString()).out())
                .contains("zoe")
                .contains("default");
    }
}
