package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.AuditChains;
import io.cdpaccess.db.Database;
import io.cdpaccess.store.Store;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL store, answering at the same time: each keeps its own chain of
 * decisions, so they never contend for a chain's head, and both verify.
 */
class TwoServersOneDatabaseTest {

    @TempDir
    Path dir;

    /**
     * A process that read its clock before another's start but took the start lock after it (or
     * whose clock is behind) links to that other chain: its own start must still sort after it,
     * or verify finds a later chain with no link and the next run links to the wrong head.
     */
    @Test
    void aChainStartedByAProcessWhoseClockIsBehindSortsAfterTheChainItLinksTo() throws Exception {
        try (Database db = TestDatabases.create(TestDatabases.Kind.SQLITE).open("clock-behind")) {
            Instant at = Instant.parse("2026-12-03T12:00:00Z");
            new Store(db, new TestClock(at), "cli pid 1 as cdp").addBlock("ann", "first", "a");
            new Store(db, new TestClock(at.minusSeconds(10)), "cli pid 2 as cdp").addBlock("bob", "behind", "b");
            new Store(db, new TestClock(at.plusSeconds(1)), "cli pid 3 as cdp").addBlock("cy", "next", "c");

            AuditVerifier.Report report = new AuditVerifier(db.dataSource()).verify(Optional.empty(), n -> {});
            assertThat(report.breaks()).isEmpty();
            try (Connection c = db.dataSource().getConnection()) {
                List<AuditChains.Start> starts = AuditChains.all(c, "changes");
                assertThat(starts)
                        .extracting(AuditChains.Start::writer)
                        .containsExactly("cli pid 1 as cdp", "cli pid 2 as cdp", "cli pid 3 as cdp");
                assertThat(starts.get(1).startedAtMs()).isEqualTo(at.toEpochMilli() + 1);
                assertThat(starts.get(2).previous().orElseThrow().chainId())
                        .isEqualTo(starts.get(1).chainId());
            }
        }
    }

    @Test
    void eachServerKeepsAVerifiableChainOfItsOwn() throws Exception {
        TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        StoreConfig store = pg.config();
        String yaml = ServiceUnderTest.prodConfig(
                """
                store:
                  url: %s
                  user: %s
                  password: %s
                """.formatted(store.url(), store.user(), store.password().reveal()));
        RedcapClient redcap = new RedcapClient();
        int perServer = 150;
        try (ServiceUnderTest a = ServiceUnderTest.start(dir.resolve("a"), yaml);
                ServiceUnderTest b = ServiceUnderTest.start(dir.resolve("b"), yaml)) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> calls = new ArrayList<>();
                for (ServiceUnderTest server : List.of(a, b, a, b)) {
                    String url = server.url(ServiceUnderTest.PROD_SECRET);
                    calls.add(clients.submit(() -> {
                        for (int n = 0; n < perServer / 2; n++) {
                            assertThat(redcap.userAccess(url, "user" + n, n + 1, ServiceUnderTest.PROD_URL))
                                    .isEqualTo("0");
                        }
                    }));
                }
                for (Future<?> f : calls) {
                    f.get();
                }
            } finally {
                clients.shutdown();
            }
        }

        try (Database db = Database.open(
                ServiceUnderTest.load(dir.resolve("a"), yaml, Map.of()).store(), "verify")) {
            AuditVerifier.Report report = new AuditVerifier(db.dataSource()).verify(Optional.empty(), n -> {});
            assertThat(report.breaks()).isEmpty();
            // every decision, and each server's service.start and service.stop in the changes
            assertThat(report.records()).isEqualTo(2L * perServer + 4);
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(AuditChains.all(c, "decisions"))
                        .as("one chain per server")
                        .hasSize(2);
            }
        }
    }
}
