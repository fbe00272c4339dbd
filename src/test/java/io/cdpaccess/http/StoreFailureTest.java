package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.PausableTcpProxy;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the store hangs or dies the service answers 503 {@code 0} (never {@code 1}, never a hang
 * past the deadline), reports not-ready, and recovers by itself when the store is back. The
 * network store is a real PostgreSQL reached through a proxy the test can freeze or cut; the
 * embedded store's failures are in {@link EmbeddedStoreTest}.
 */
class StoreFailureTest {

    static final String SECRET = "prod-secret-0123456789-XYZ";
    static final String URL = "https://redcap.example.edu/";

    @TempDir
    Path dir;

    PausableTcpProxy proxy;
    ServiceUnderTest service;
    final RedcapClient redcap = new RedcapClient();

    @BeforeEach
    void start() throws Exception {
        TestDatabase postgres = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        String direct = postgres.config().url();
        Matcher port = Pattern.compile("//127\\.0\\.0\\.1:(\\d+)/").matcher(direct);
        assertThat(port.find()).as("PostgreSQL on loopback: %s", direct).isTrue();
        proxy = new PausableTcpProxy(Integer.parseInt(port.group(1)));
        service = ServiceUnderTest.start(dir, """
                listen: 127.0.0.1:0
                deadline: 1s
                store:
                  url: "%s"
                  user: %s
                  password: "%s"
                  refresh_interval: 100ms
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(
                        direct.replace(port.group(), "//127.0.0.1:" + proxy.port() + "/"),
                        postgres.config().user(),
                        postgres.config().password().reveal(),
                        URL,
                        SECRET));
        service.grant("prod", "alice", 42, Optional.empty());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.restore();
        service.close();
        proxy.close();
    }

    @Test
    void aHungStoreGets503WithinTheDeadlineAndTheAnswerIsRecordedAsSuchOnceItIsBack() throws Exception {
        assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        proxy.freeze();

        long start = System.nanoTime();
        RedcapClient.Response r;
        List<String> decisionLines;
        try (CapturedLog log = CapturedLog.named("cdp-access.decision")) {
            r = redcap.call(service.url(SECRET), "alice", "42", URL);
            decisionLines = log.at(Level.INFO);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // The log line times the whole wait, the failed commit included (it said about 900 µs).
        Matcher latency = Pattern.compile("latency_us=(\\d+)")
                .matcher(decisionLines.stream()
                        .filter(l -> l.startsWith("decision=" + r.header("X-Decision-Id")))
                        .findFirst()
                        .orElseThrow());
        assertThat(latency.find()).isTrue();
        assertThat(Long.parseLong(latency.group(1))).isGreaterThanOrEqualTo(1_000_000);

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("0");
        assertThat(r.redcapValue()).isEqualTo("0");
        // Bounded by the 1 s deadline; the margin only absorbs scheduling on a busy CI machine.
        assertThat(took).isLessThan(Duration.ofSeconds(5));

        proxy.restore();
        awaitReady();
        assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        DecisionRecord late = awaitDecision(r.header("X-Decision-Id"));
        assertThat(late.effect()).isEqualTo(Effect.ERROR);
        assertThat(late.reason()).isEqualTo("deadline-exceeded");
        assertThat(late.httpStatus()).isEqualTo(503);
    }

    @Test
    void aDeadStoreGets503AndNotReadyThenRecovers() throws Exception {
        proxy.cut();

        RedcapClient.Response r = redcap.call(service.url(SECRET), "alice", "42", URL);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("0");
        awaitStatus("/health/ready", 503);
        // What an operator's alerts see meanwhile. One scrape reads the meters one after another
        // while the poller fails concurrently, so it may show the gauge down before the failure
        // counted; wait for both rather than read one scrape as a snapshot of the whole service.
        Scrape down =
                service.awaitScrape(s -> s.value("cdp_access_store_reachable").orElse(-1) == 0
                        && s.count("cdp_access_store_poll_failures_total") > 0);
        assertThat(down.value("cdp_access_ready")).hasValue(0);
        assertThat(down.sum("cdp_access_decisions_total", "effect", "error")).isEqualTo(1);

        proxy.restore();
        awaitReady();
        assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        // The 503 given while the store was down was spooled, and is on the record now.
        DecisionRecord spooled = awaitDecision(r.header("X-Decision-Id"));
        assertThat(spooled.effect()).isEqualTo(Effect.ERROR);
        assertThat(spooled.reason()).isEqualTo("log-unavailable");
        assertThat(spooled.httpStatus()).isEqualTo(503);
        assertThat(spooled.detail())
                .hasValueSatisfying(d -> assertThat(d).contains("spooled and recorded late; was allow/grant"));
        Scrape up = service.awaitScrape(s -> s.count("cdp_access_store_reachable") == 1);
        assertThat(up.value("cdp_access_ready")).hasValue(1);
        assertThat(up.value("cdp_access_decisions_total", "effect", "allow", "reason", "grant"))
                .hasValue(1);
        assertThat(redcap.send("GET", service.base() + "/health/live", new byte[0], null)
                        .status())
                .isEqualTo(200);
    }

    private void awaitReady() throws InterruptedException {
        awaitStatus("/health/ready", 200);
    }

    private void awaitStatus(String path, int status) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int last = -1;
        while (System.nanoTime() < until) {
            last = redcap.send("GET", service.base() + path, new byte[0], null).status();
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " stayed " + last + ", expected " + status);
    }

    private DecisionRecord awaitDecision(String id) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            List<DecisionRecord> all =
                    new DecisionQuery(service.app().database().dataSource()).list(DecisionFilter.all());
            for (DecisionRecord d : all) {
                if (d.decisionId().equals(id)) {
                    return d;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("decision " + id + " never reached the log");
    }
}
