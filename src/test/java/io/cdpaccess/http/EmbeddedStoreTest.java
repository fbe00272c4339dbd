package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.ChildCommand;
import io.cdpaccess.testing.ChildService;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded SQLite store failing under a running service: its file deleted or replaced (by a
 * mistaken cleanup, a restore over the live file), after which the service must not go on
 * answering from a file nobody can read again, and a backup restored afterwards must be served
 * exactly as it was; and another process holding the write lock, which must turn into 503
 * {@code 0} within the deadline and recover by itself. The network stores'
 * failures are in {@link StoreFailureTest}.
 */
class EmbeddedStoreTest {

    static final String SECRET = "embedded-secret-0123456789-XYZ";
    static final String REDCAP = "https://redcap.example.edu/";
    /** How soon a lost file must show: the watch looks every second; the rest is margin for CI. */
    static final Duration NOTICED_WITHIN = Duration.ofSeconds(5);
    /** The bound on an answer while the store is held: the deadline is 1 s; the rest is margin for CI. */
    static final Duration ANSWERED_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void aStoreDeletedWhileServingMakesEveryAnswer503AndARestartRefusesUntilABackupIsRestored() throws Exception {
        Path config = config();
        Path backup = dir.resolve("backup.db");
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String url = userAccessUrl(child);
            grant(config, "alice");
            awaitAnswer(url, "alice", "1");
            backUp(backup);
            changeAfterTheBackup(config, url);

            Files.delete(store());

            awaitLost(child, url);
            assertThat(child.stderr())
                    .contains("ERROR")
                    .contains("the store " + store() + " was deleted while serving")
                    .contains("the lost file's WAL and index are now [" + store() + "-wal.lost, " + store()
                            + "-shm.lost]");
            assertThat(child.stop()).isZero();
        }
        // Stopping did not re-create an empty store in its place, and a restart will not either.
        assertThat(store()).doesNotExist();
        Cli.Result restarted = ChildCommand.run(dir, Map.of(), "serve", "--config", config.toString());
        assertThat(restarted.exitCode()).as(restarted.toString()).isEqualTo(3);
        assertThat(restarted.err().lines())
                .singleElement()
                .satisfies(line ->
                        assertThat(line).contains(store() + "-created").contains("restore store.db from a backup"));
        assertThat(store()).doesNotExist();

        restore(backup);
        assertServesExactlyTheBackup(config);
    }

    @Test
    void aStoreReplacedWhileServingMakesEveryAnswer503AndARestartServesTheFileNowThere() throws Exception {
        Path config = config();
        Path backup = dir.resolve("backup.db");
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String url = userAccessUrl(child);
            grant(config, "alice");
            awaitAnswer(url, "alice", "1");
            backUp(backup);
            changeAfterTheBackup(config, url);

            // A backup restored over the live file, as the service's own message says, too early.
            Files.setPosixFilePermissions(backup, PosixFilePermissions.fromString("rw-------"));
            Files.move(backup, store(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            awaitLost(child, url);
            assertThat(child.stderr())
                    .contains("ERROR")
                    .contains("the store " + store() + " was replaced by another file while serving");
            assertThat(child.stop()).isZero();
        }
        assertServesExactlyTheBackup(config);
    }

    @Test
    void anotherProcessHoldingTheWriteLockGets503WithinTheDeadlineAndTheNextAnswerAfterItLetsGoIsOne()
            throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                deadline: 1s
                store:
                  refresh_interval: 100ms
                """))) {
            String url = service.url(ServiceUnderTest.PROD_SECRET);
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(redcap.userAccess(url, "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");

            List<RedcapClient.Response> whileHeld = new ArrayList<>();
            try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + store())) {
                try (Statement s = holder.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 5000"); // waits out a write of the service in flight
                    s.execute("BEGIN EXCLUSIVE");
                }
                // Several at once: none may be answered 1, none may wait past the deadline's bound.
                ExecutorService callers = Executors.newFixedThreadPool(3);
                try {
                    List<Future<Timed>> calls = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        calls.add(callers.submit(
                                () -> Timed.call(() -> redcap.call(url, "alice", "42", ServiceUnderTest.PROD_URL))));
                    }
                    for (Future<Timed> call : calls) {
                        Timed timed = call.get(30, TimeUnit.SECONDS);
                        assertThat(timed.took()).isLessThan(ANSWERED_WITHIN);
                        whileHeld.add(timed.response());
                    }
                } finally {
                    callers.shutdownNow();
                }
                try (Statement s = holder.createStatement()) {
                    s.execute("ROLLBACK");
                }
            }
            assertThat(whileHeld).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("0");
                assertThat(r.redcapValue()).isEqualTo("0");
            });

            RedcapClient.Response after = redcap.call(url, "alice", "42", ServiceUnderTest.PROD_URL);
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.body()).isEqualTo("1");
            // Every 503 given while the store was held is on the record afterwards, as the 503 it
            // was: written late by the group commit (deadline-exceeded) or from the spool
            // (log-unavailable, "spooled and recorded late").
            for (RedcapClient.Response r : whileHeld) {
                DecisionRecord record = awaitDecision(service, r.header("X-Decision-Id"));
                assertThat(record.effect()).isEqualTo(Effect.ERROR);
                assertThat(record.httpStatus()).isEqualTo(503);
                assertThat(record.reason()).isIn("deadline-exceeded", "log-unavailable");
            }
        }
    }

    private static DecisionRecord awaitDecision(ServiceUnderTest service, String id) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Optional<DecisionRecord> found = service.decision(id);
        while (found.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(100);
            found = service.decision(id);
        }
        return found.orElseThrow(() -> new AssertionError("decision " + id + " never reached the log"));
    }

    private Path store() {
        return dir.resolve("data").resolve("store.db");
    }

    /** A consistent copy of the live store, as a backup job would take it: alice's grant, no bob. */
    private void backUp(Path backup) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store());
                Statement s = c.createStatement()) {
            s.execute("VACUUM INTO '" + backup + "'");
        }
    }

    /** Writes the backup does not have: bob's grant, and decisions, in the live file's WAL. */
    private void changeAfterTheBackup(Path config, String url) throws InterruptedException {
        grant(config, "bob");
        awaitAnswer(url, "bob", "1");
        for (int i = 0; i < 10; i++) {
            redcap.userAccess(url, "alice", 42, REDCAP);
        }
    }

    /** What an administrator does with the service stopped: the backup back in place, owner-only. */
    private void restore(Path backup) throws IOException {
        Files.copy(backup, store());
        Files.setPosixFilePermissions(store(), PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * A restart serves the backup as it was, intact: alice, whose grant it holds, is allowed; bob,
     * granted after it was taken, is not. (The lost file's WAL, had it stayed beside the path,
     * would have been written into the backup on the first open: bob back, or a corrupt file.)
     */
    private void assertServesExactlyTheBackup(Path config) throws Exception {
        try (ChildService again = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String url = userAccessUrl(again);
            assertThat(redcap.userAccess(url, "alice", 42, REDCAP)).isEqualTo("1");
            assertThat(redcap.userAccess(url, "bob", 42, REDCAP)).isEqualTo("0");
            assertThat(again.stop()).isZero();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    /** One call and how long it took. */
    record Timed(RedcapClient.Response response, Duration took) {
        static Timed call(java.util.function.Supplier<RedcapClient.Response> call) {
            long start = System.nanoTime();
            RedcapClient.Response r = call.get();
            return new Timed(r, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Within {@link #NOTICED_WITHIN}: not ready, {@code cdp_access_ready} 0, and alice, who has a
     * grant, answered 503 {@code 0}.
     */
    private void awaitLost(ChildService child, String url) throws InterruptedException {
        String base = "http://127.0.0.1:" + child.port();
        await(() ->
                redcap.send("GET", base + "/health/ready", new byte[0], null).status() == 503);
        RedcapClient.Response metrics = redcap.send("GET", base + "/metrics", new byte[0], null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(Scrape.parse(metrics.body()).value("cdp_access_ready")).hasValue(0);
        RedcapClient.Response r = redcap.call(url, "alice", "42", REDCAP);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("0");
        // And the log says why, as the lost file was noticed.
        await(() -> child.stderr().contains("while serving; answering 503"));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + NOTICED_WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + NOTICED_WITHIN);
            }
            Thread.sleep(100);
        }
    }

    private void awaitAnswer(String url, String user, String expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < until) {
            last = redcap.userAccess(url, user, 42, REDCAP);
            if (last.equals(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(user + " stayed " + last + ", expected " + expected);
    }

    private static void grant(Path config, String user) {
        Cli.Result granted = new Cli(Clock.systemUTC())
                .run(
                        "grant",
                        "add",
                        "--config",
                        config.toString(),
                        "--user",
                        user,
                        "--project-id",
                        "42",
                        "--reason",
                        "IRB-1");
        assertThat(granted.exitCode()).as(granted.toString()).isZero();
    }

    private String userAccessUrl(ChildService child) throws InterruptedException {
        child.awaitBanner();
        return "http://127.0.0.1:" + child.port() + "/user-access?secret=" + SECRET;
    }

    private Path config() throws IOException {
        return PrivateFiles.write(dir.resolve("cdp-access.yaml"), """
                listen: 127.0.0.1:0
                data_dir: ./data
                store:
                  refresh_interval: 100ms
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(REDCAP, SECRET));
    }
}
