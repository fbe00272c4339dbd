package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.AuditVerifier;
import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.testing.ChildService;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.RedcapClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as its own process, the way an administrator runs it: the first run's URL,
 * the CLI changing things while it runs (every kind of change, each seen within 2 s), a restart keeping secret and grants, and a SIGKILL
 * losing no decision that was answered.
 */
class ServeProcessTest {

    static final Pattern URL_WITH_SECRET = Pattern.compile("(http://\\S+/user-access\\?secret=([A-Za-z0-9_-]{43}))");

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void firstRunPrintsTheUrlAndARestartKeepsTheSecretAndTheGrants() throws Exception {
        Path data = dir.resolve("cdp-access-data");
        String url;
        try (ChildService first = ChildService.serve(dir, Map.of(), "--listen", "127.0.0.1:0")) {
            String banner = first.awaitBanner();
            Matcher m = URL_WITH_SECRET.matcher(banner);
            assertThat(m.find()).as(banner).isTrue();
            url = m.group(1);
            assertThat(banner).contains("generated now").contains("grant add");
            assertThat(data.resolve("cdp-access.yaml")).exists();
            assertThat(redcap.userAccess(url, "alice", 42, "https://redcap.example.edu/"))
                    .isEqualTo("0");

            // The CLI, in another process's store connection, while serve runs.
            Cli.Result granted = new Cli(Clock.systemUTC())
                    .run(
                            "grant",
                            "add",
                            "--data-dir",
                            data.toString(),
                            "--user",
                            "alice",
                            "--project-id",
                            "42",
                            "--reason",
                            "IRB-123");
            assertThat(granted.exitCode()).as(granted.toString()).isZero();
            awaitAllowed(url);

            assertThat(first.stop()).isZero();
        }
        String secret = url.substring(url.indexOf("secret=") + 7);
        try (ChildService second = ChildService.serve(dir, Map.of(), "--listen", "127.0.0.1:0")) {
            String banner = second.awaitBanner();
            assertThat(banner).doesNotContain("generated now");
            // Not a terminal (the test reads a pipe): a later run keeps the secret out of the output,
            // where a service manager would put it into its log.
            assertThat(banner)
                    .doesNotContain(url.substring(url.indexOf("secret=") + 7))
                    .contains("<secret of instance");
            String again = "http://127.0.0.1:" + second.port() + "/user-access?secret=" + secret;
            assertThat(redcap.userAccess(again, "alice", 42, "https://redcap.example.edu/"))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(
                            again.replace(secret, secret.substring(1) + "x"),
                            "alice",
                            42,
                            "https://redcap.example.edu/"))
                    .isEqualTo("0");
        }
    }

    @Test
    void everyCliChangeMadeWhileServingReachesTheRunningServerWithinTwoSeconds() throws Exception {
        Path config = PrivateFiles.write(dir.resolve("cdp-access.yaml"), """
                listen: 127.0.0.1:0
                data_dir: ./data
                store:
                  refresh_interval: 100ms
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: cli-secret-0123456789-XYZ
                """);
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            child.awaitBanner();
            String url = "http://127.0.0.1:" + child.port() + "/user-access?secret=cli-secret-0123456789-XYZ";
            assertThat(redcap.userAccess(url, "alice", 42, "https://redcap.example.edu/"))
                    .isEqualTo("0");

            // Each command is its own connection to the SQLite file the server holds open.
            cli(config, "grant", "add", "--user", "alice", "--project-id", "42", "--reason", "IRB-123");
            awaitAnswer(url, "1");
            cli(config, "block", "add", "--user", "alice", "--reason", "account compromised");
            awaitAnswer(url, "0");
            cli(config, "block", "remove", "--user", "alice", "--reason", "password reset");
            awaitAnswer(url, "1");
            cli(config, "project", "suspend", "--project-id", "42", "--reason", "IRB audit");
            awaitAnswer(url, "0");
            cli(config, "project", "approve", "--project-id", "42", "--irb", "IRB-123");
            awaitAnswer(url, "1");
            cli(config, "grant", "revoke", "--user", "alice", "--project-id", "42", "--reason", "left the study");
            awaitAnswer(url, "0");

            // The server's answers are on the record the moment they are given, for the CLI to read.
            RedcapClient.Response last = redcap.call(url, "alice", "42", "https://redcap.example.edu/");
            Cli.Result decisions = cli(config, "decisions", "list", "--user", "alice", "--limit", "1000");
            assertThat(decisions.out())
                    .contains(last.header("X-Decision-Id"))
                    .contains("grant-revoked")
                    .contains("blocked")
                    .contains("project-suspended");
        }
    }

    @Test
    void aReloadAfterServeListenOverrodeTheFilesAddressAsksForNoRestart() throws Exception {
        String yaml = """
                listen: 127.0.0.1:1
                data_dir: ./data
                store:
                  refresh_interval: 100ms
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                """.formatted(io.cdpaccess.testing.ServiceUnderTest.PROD_SECRET);
        Path config = PrivateFiles.write(dir.resolve("cdp-access.yaml"), yaml);
        try (ChildService child =
                ChildService.serve(dir, Map.of(), "--listen", "127.0.0.1:0", "--config", config.toString())) {
            child.awaitBanner();
            String metrics = "http://127.0.0.1:" + child.port() + "/metrics";

            PrivateFiles.write(config, yaml + "# edited: a reload, nothing that needs a restart\n");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            io.cdpaccess.testing.Scrape scrape;
            do {
                Thread.sleep(100);
                scrape = io.cdpaccess.testing.Scrape.parse(
                        redcap.send("GET", metrics, new byte[0], null).body());
            } while (scrape.sum("cdp_access_policy_reloads_total") < 1 && System.nanoTime() < until);

            assertThat(scrape.sum("cdp_access_policy_reloads_total"))
                    .as("reloaded")
                    .isGreaterThanOrEqualTo(1);
            // serve --listen is still where it listens, and would be after a restart with it
            assertThat(scrape.value("cdp_access_restart_needed", "setting", "listen"))
                    .hasValue(0);
            assertThat(child.stderr()).doesNotContain("next restart");
        }
    }

    private static Cli.Result cli(Path config, String... args) {
        String[] withConfig = Stream.concat(Arrays.stream(args), Stream.of("--config", config.toString()))
                .toArray(String[]::new);
        Cli.Result r = new Cli(Clock.systemUTC()).run(withConfig);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    /** The server's answer for alice in project 42 becomes {@code expected} within 2 s. */
    private void awaitAnswer(String url, String expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        String last = "";
        while (System.nanoTime() < until) {
            last = redcap.userAccess(url, "alice", 42, "https://redcap.example.edu/");
            if (last.equals(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("2 s after the change the server still answered " + last + ", not " + expected);
    }

    @Test
    void aKilledServerLosesNoDecisionItAnswered() throws Exception {
        Path config = dir.resolve("cdp-access.yaml");
        PrivateFiles.write(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: kill-secret-0123456789-XYZ
                """);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String url = "http://127.0.0.1:" + child.port() + "/user-access?secret=kill-secret-0123456789-XYZ";
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(6);
            for (int i = 0; i < 6; i++) {
                int client = i;
                clients.submit(() -> {
                    for (int n = 0; running.get() && n < 5_000; n++) {
                        RedcapClient.Response r = redcap.call(
                                url, "user" + client, Integer.toString(n + 1), "https://redcap.example.edu/");
                        if (!r.failed() && r.header("X-Decision-Id") != null) {
                            answered.add(r.header("X-Decision-Id"));
                        }
                    }
                });
            }
            while (answered.size() < 300) {
                Thread.sleep(20);
            }
            child.kill(); // mid-traffic
            running.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        ServiceConfig loaded = new ConfigLoader(Map.of()).load(config);
        try (Database db = Database.open(loaded.store(), "verify")) {
            List<DecisionRecord> recorded = new DecisionQuery(db.dataSource()).list(DecisionFilter.all());
            Set<String> ids = recorded.stream().map(DecisionRecord::decisionId).collect(Collectors.toSet());
            assertThat(answered).hasSizeGreaterThanOrEqualTo(300);
            assertThat(ids).containsAll(answered);
            AuditVerifier.Report chain = new AuditVerifier(db.dataSource()).verify(Optional.empty(), n -> {});
            assertThat(chain.breaks()).as("the killed run's chain").isEmpty();
            assertThat(chain.records()).isGreaterThanOrEqualTo(answered.size());
        }

        // The next run's chain starts from what the killed one committed last, and verifies with it.
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String url = "http://127.0.0.1:" + child.port() + "/user-access?secret=kill-secret-0123456789-XYZ";
            assertThat(redcap.call(url, "after", "1", "https://redcap.example.edu/")
                            .failed())
                    .isFalse();
        }
        try (Database db = Database.open(loaded.store(), "verify")) {
            AuditVerifier.Report both = new AuditVerifier(db.dataSource()).verify(Optional.empty(), n -> {});
            assertThat(both.breaks()).isEmpty();
            assertThat(both.chains()).as("a chain per run of decisions").isGreaterThanOrEqualTo(2);
        }
    }

    private void awaitAllowed(String url) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (redcap.userAccess(url, "alice", 42, "https://redcap.example.edu/")
                    .equals("1")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the running server never saw the grant made by the CLI");
    }
}
