package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All of a REDCap host's calls come from one address, so failures from that address must never
 * deny the calls that carry the right secret; the failing ones are slowed, without a server
 * thread waiting for them, and counted.
 */
class AuthFailureSlowingTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;

    @TempDir
    Path dir;

    @Test
    void aStaleTestRedcapOnTheSameHostNeverDeniesTheResearchersThere() throws Exception {
        // The finding: one wrong call every 5 s from the REDCap host's address (a test REDCap with an
        // old secret) made 26 of 36 correct calls from that address fail with 429.
        TestClock clock = new TestClock(Instant.parse("2026-12-02T08:00:00Z"));
        try (ServiceUnderTest service =
                ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                auth_failures:
                  limit: 3
                  window: 1m
                  max_delay: 50ms
                """), Map.of(), clock)) {
            service.grant("prod", "alice", 42, Optional.empty());
            InetAddress redcapHost = InetAddress.getByName("127.0.0.60");
            List<RawHttp.Response> stale = new ArrayList<>();
            List<RawHttp.Response> researchers = new ArrayList<>();

            for (int i = 0; i < 36; i++) {
                stale.add(service.callFrom(redcapHost, "old-Secret-of-the-test-instance"));
                researchers.add(service.callFrom(redcapHost, SECRET));
                clock.advance(Duration.ofSeconds(5));
            }

            assertThat(researchers).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("1");
            });
            assertThat(stale).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).isEqualTo("0");
            });
            // 3 per minute are allowed (one every 20 s); of 12 a minute, the rest are slowed.
            List<String> reasons =
                    stale.stream().map(r -> r.header("X-Decision-Reason")).toList();
            assertThat(reasons.subList(0, 3)).containsOnly("unauthenticated");
            assertThat(reasons).contains("rate-limited");
            DecisionRecord slowed =
                    service.decision(stale.get(35).header("X-Decision-Id")).orElseThrow();
            assertThat(slowed.reason()).isEqualTo("rate-limited");
            assertThat(slowed.detail())
                    .hasValueSatisfying(d -> assertThat(d)
                            .startsWith("unauthenticated, beyond the allowance of failures: held back up to ")
                            .endsWith(" ms"));
            // A method Javalin has no route for is slowed the same way (the POST first takes any
            // token the last 5 s refilled).
            stale.add(service.callFrom(redcapHost, "old-Secret-of-the-test-instance"));
            RawHttp.Response propfind = RawHttp.send(
                    redcapHost,
                    InetAddress.getByName("127.0.0.1"),
                    service.port(),
                    RawHttp.request("PROPFIND", "/user-access?secret=old-Secret", Map.of(), new byte[0]),
                    30_000);
            assertThat(propfind.status()).isEqualTo(404);
            assertThat(propfind.header("X-Decision-Reason")).isEqualTo("rate-limited");
            Scrape scrape = service.scrape();
            assertThat(scrape.value("cdp_access_auth_failures_total")).hasValue(38);
            assertThat(scrape.value("cdp_access_auth_slowed_total").orElseThrow())
                    .isEqualTo(stale.stream()
                                    .filter(r -> r.header("X-Decision-Reason").equals("rate-limited"))
                                    .count()
                            + 1);
        }
    }

    @Test
    void slowedCallersHoldNoServerThreadAndTheRightSecretIsAnsweredMeanwhile() throws Exception {
        int slowed = 40;
        ExecutorService callers = Executors.newFixedThreadPool(slowed);
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                deadline: 20s
                auth_failures:
                  limit: 1
                  window: 1h
                  max_delay: 20s
                """))) {
            service.grant("prod", "alice", 42, Optional.empty());
            InetAddress guesser = InetAddress.getByName("127.0.0.61");
            assertThat(service.callFrom(guesser, "first-Guess-0123456789-abc").header("X-Decision-Reason"))
                    .isEqualTo("unauthenticated");
            List<Future<RawHttp.Response>> pending = new ArrayList<>();
            for (int i = 0; i < slowed; i++) {
                String guess = "guess-" + i + "-Secret-0123456789";
                pending.add(callers.submit(() -> service.callFrom(guesser, guess)));
            }
            awaitHeldBack(service, slowed);

            // Every guess is decided and recorded, and waits for its answer without a thread (a
            // thread sleeping per guess would sit in the handler for the whole 20 s).
            awaitNoThreadInTheEndpoint();
            RawHttp.Response researcher = service.callFrom(guesser, SECRET);
            assertThat(researcher.status()).isEqualTo(200);
            assertThat(researcher.body()).isEqualTo("1");
            assertThat(new RedcapClient().testButton(service.url(SECRET)).failed())
                    .isFalse();
            assertThat(pending).noneMatch(Future::isDone);
        } finally {
            callers.shutdownNow(); // the service is closed: the held-back connections are gone
            assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void awaitNoThreadInTheEndpoint() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threadsInTheEndpoint() > 0) {
            if (System.nanoTime() > until) {
                throw new AssertionError(threadsInTheEndpoint() + " threads stayed in the /user-access handler");
            }
            Thread.sleep(20);
        }
    }

    /** Waits until {@code count} slowed answers are recorded (their rows come before their answers). */
    private static void awaitHeldBack(ServiceUnderTest service, int count) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (service.scrape().value("cdp_access_auth_slowed_total").orElse(0) < count) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the slowed calls never all arrived");
            }
            Thread.sleep(50);
        }
    }

    /** Threads of this JVM currently inside the /user-access handler. */
    private static long threadsInTheEndpoint() {
        return Thread.getAllStackTraces().values().stream()
                .filter(stack -> java.util.Arrays.stream(stack)
                        .anyMatch(f -> f.getClassName().equals(UserAccessHandler.class.getName())))
                .count();
    }
}
