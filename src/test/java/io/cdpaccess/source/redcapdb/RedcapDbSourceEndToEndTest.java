package io.cdpaccess.source.redcapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redcapdb source end to end: REDCap's call through the real listener, decided by the
 * shipped sample's policy ({@code config/samples/redcap-rights.yaml}) over a real MariaDB
 * holding REDCap's tables ({@link RedcapTables}); the source's connections killed (replaced
 * without a failed answer), then the database cut off and back (stale answers within grace and
 * not after, the breaker, every answer within the deadline, never a {@code 1} without facts).
 */
class RedcapDbSourceEndToEndTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final Path SAMPLE = Path.of("config/samples/redcap-rights.yaml");
    static final String BREAKER_OPEN = "cdp_access_source_breaker_open";

    @TempDir
    Path dir;

    /** Noon in Chicago on the day {@link RedcapTables}' rows are written around. */
    final TestClock clock = new TestClock(RedcapTables.NOW);

    final RedcapClient redcap = new RedcapClient();

    /** The sample's policy, word for word, over a redcapdb source on the test database. */
    static String config(TestDatabase db) throws Exception {
        String sample = Files.readString(SAMPLE);
        int policy = sample.indexOf("\npolicy:\n");
        assertThat(policy).as("the sample's policy section").isPositive();
        return ServiceUnderTest.prodConfig(
                """
                zone: America/Chicago
                deadline: 2s
                sources:
                  - name: redcap
                    type: redcapdb
                    url: %s
                    user: %s
                    password: ${REDCAP_DB_PASSWORD}
                    zone: America/Chicago
                    pool_size: 2
                    timeout: 1s
                    cache: {found: 1m, not_found: 1m, stale_if_error: 10m}
                """.formatted(db.config().url(), db.config().user()) + sample.substring(policy + 1));
    }

    static Map<String, String> env(TestDatabase db) {
        return Map.of("REDCAP_DB_PASSWORD", db.config().password().reveal());
    }

    /** Its own database: cutting one off locks its owner's account, which other tests use elsewhere. */
    static TestDatabase redcapDatabase() {
        TestDatabase db = TestDatabases.create(TestDatabases.Kind.MARIADB);
        RedcapTables.create(db, RedcapTables.EHR_MAP, RedcapTables.ROWS);
        return db;
    }

    @Test
    void killedConnectionsAndADatabaseCutOffNeverAllowWithoutFactsAndTheSourceIsHeardAgainWhenBack() throws Exception {
        TestDatabase db = redcapDatabase();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, config(db), env(db), clock)) {
            String url = service.url(SECRET);

            // An adjudicator and an administrator pass; the others are told why not.
            assertThat(answer(service, url, "alice", 42)).isEqualTo("1 project-rights");
            assertThat(answer(service, url, "site_admin", 42)).isEqualTo("1 redcap-administrator");
            assertThat(answer(service, url, "rolf", 42)).isEqualTo("0 no-adjudication-right");
            assertThat(answer(service, url, "sam", 42)).isEqualTo("0 account-suspended");
            assertThat(answer(service, url, "alice", 45)).isEqualTo("0 project-deleted");
            assertThat(answer(service, url, "yuri", 42)).isEqualTo("0 project-rights-expired");

            // The server drops every connection of the source's pool: they are replaced, no
            // answer fails and none is stale.
            RedcapDbSourceTest.killConnectionsOf(db);
            clock.advance(Duration.ofMinutes(2)); // past cache.found: alice is read again
            RedcapClient.Response again = timed(() -> call(url, "alice", 42));
            assertThat(again.body()).isEqualTo("1");
            assertThat(detail(service, again)).doesNotContain("stale facts");
            assertThat(answer(service, url, "rosa", 42)).isEqualTo("1 project-rights");
            assertThat(service.scrape().value(BREAKER_OPEN, "source", "redcap")).hasValue(0.0);

            // The database goes away: connections killed, new ones refused.
            TestDatabase.Outage outage = db.cutOff();
            assertThat(redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                            .status())
                    .as("a source down leaves the service ready: decisions go on from cache or deny")
                    .isEqualTo(200);
            clock.advance(Duration.ofMinutes(5)); // past cache.found, within stale_if_error

            RedcapClient.Response stale = timed(() -> call(url, "alice", 42));
            assertThat(stale.status()).isEqualTo(200);
            assertThat(stale.body()).isEqualTo("1");
            assertThat(stale.header("X-Decision-Reason")).isEqualTo("project-rights");
            assertThat(detail(service, stale))
                    .contains("(stale facts: redcap:")
                    .doesNotContain(db.config().password().reveal());

            RedcapClient.Response staleDeny = timed(() -> call(url, "rolf", 42));
            assertThat(staleDeny.body()).isEqualTo("0");
            assertThat(staleDeny.header("X-Decision-Reason")).isEqualTo("no-adjudication-right");

            // Nothing cached for tom (an adjudicator whose facts were never read): no facts, no 1.
            for (String user : List.of("tom", "tina", "JDoe")) {
                RedcapClient.Response none = timed(() -> call(url, user, 42));
                assertThat(none.status()).as(user).isEqualTo(503);
                assertThat(none.body()).as(user).isEqualTo("0");
                assertThat(none.header("X-Decision-Reason")).as(user).isEqualTo("fact-error");
            }

            clock.advance(Duration.ofMinutes(10)); // past stale_if_error: the grace is over
            for (int i = 0; i < 6; i++) {
                RedcapClient.Response down = timed(() -> call(url, "alice", 42));
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.body()).isEqualTo("0");
                assertThat(down.header("X-Decision-Reason")).isEqualTo("fact-error");
            }
            assertThat(service.scrape().value(BREAKER_OPEN, "source", "redcap")).hasValue(1.0);
            double notAsked = breakerOpenLookups(service);
            RedcapClient.Response open = timed(() -> call(url, "site_admin", 42));
            assertThat(open.status()).isEqualTo(503);
            assertThat(open.body()).isEqualTo("0");
            assertThat(breakerOpenLookups(service))
                    .as("an open breaker answers without asking the database")
                    .isGreaterThan(notAsked);
            assertThat(redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                            .status())
                    .isEqualTo(200);

            outage.close();
            // Once the breaker's open period is over, one lookup probes the database: it is
            // back, so that lookup succeeds and closes the breaker, though the pool's own
            // reconnecting may still be backing off (HikariCP waits up to 5 s between tries).
            clock.advance(Duration.ofSeconds(11)); // the first period, doubled by the failed probe
            String back = answer(service, url, "alice", 42);
            assertThat(back).isEqualTo("1 project-rights");
            assertThat(service.scrape().value(BREAKER_OPEN, "source", "redcap")).hasValue(0.0);
            RedcapClient.Response fresh = timed(() -> call(url, "tom", 42));
            assertThat(fresh.body()).isEqualTo("1");
            assertThat(detail(service, fresh)).doesNotContain("stale facts");
        }
    }

    private RedcapClient.Response call(String url, String user, long project) {
        return redcap.call(url, user, Long.toString(project), ServiceUnderTest.PROD_URL);
    }

    /** {@code "1 project-rights"}: the body REDCap reads and the reason the service recorded. */
    private String answer(ServiceUnderTest service, String url, String user, long project) {
        RedcapClient.Response r = timed(() -> call(url, user, project));
        assertThat(r.status()).as(user + " in " + project).isEqualTo(200);
        assertThat(service.decision(r.header("X-Decision-Id")))
                .as("on the record")
                .map(DecisionRecord::reason)
                .hasValue(r.header("X-Decision-Reason"));
        return r.body() + " " + r.header("X-Decision-Reason");
    }

    private static String detail(ServiceUnderTest service, RedcapClient.Response r) {
        return service.decision(r.header("X-Decision-Id"))
                .orElseThrow()
                .detail()
                .orElse("");
    }

    private static double breakerOpenLookups(ServiceUnderTest service) {
        return service.scrape()
                .count("cdp_access_source_lookup_seconds_count", "source", "redcap", "outcome", "breaker-open");
    }

    /** The call, asserting it was answered within the 2 s deadline (with room for the client). */
    private static RedcapClient.Response timed(Supplier<RedcapClient.Response> call) {
        long start = System.nanoTime();
        RedcapClient.Response r = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        assertThat(r.status()).as("an answer, not a dropped connection").isPositive();
        return r;
    }
}
