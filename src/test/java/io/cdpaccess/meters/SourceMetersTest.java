package io.cdpaccess.meters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.source.LiveSource;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceLookups;
import io.cdpaccess.source.SourceOutcome;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.source.SourceSet;
import io.cdpaccess.testing.ScriptedSource;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a Prometheus scrape shows of a source: lookups by outcome, decisions that stopped waiting,
 * cache results, up, breaker.
 */
class SourceMetersTest {

    @Test
    void aScrapeShowsEachSourcesLookupsCacheAndState() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-12-01T09:00:00Z"));
        ScriptedSource directory = new ScriptedSource();
        try (Served served = Served.by(directory, clock)) {
            Metrics metrics = served.metrics();
            SourceRegistry registry = served.registry();
            SourceConfig config = dir(Duration.ofSeconds(1));
            LiveSource source =
                    registry.open(List.of(config)).sources().iterator().next();
            SourceKey alice = new SourceKey("alice", "alice", 42, "main", Optional.empty(), clock.instant());

            directory.answer(new ScriptedSource.Found(List.of("Epic"), Optional.empty()));
            source.ask(alice).get();
            source.ask(alice).get();
            directory.answer(new ScriptedSource.Fails("connection refused"));
            for (int i = 0; i < 5; i++) {
                source.ask(new SourceKey("u" + i, "u" + i, 42, "main", Optional.empty(), clock.instant()))
                        .get();
            }
            clock.advance(Duration.ofSeconds(2)); // alice's answer no longer fresh, the breaker still open
            source.ask(alice).get(); // breaker open: the stale answer stands in

            String scrape = metrics.scrape();
            assertThat(scrape)
                    .contains("cdp_access_source_lookup_seconds_count{outcome=\"found\",source=\"dir\"} 1")
                    .contains("cdp_access_source_lookup_seconds_count{outcome=\"error\",source=\"dir\"} 5")
                    .contains("cdp_access_source_lookup_seconds_count{outcome=\"breaker-open\",source=\"dir\"} 1")
                    .contains("cdp_access_source_cache_total{result=\"hit\",source=\"dir\"} 1.0")
                    .contains("cdp_access_source_cache_total{result=\"miss\",source=\"dir\"} 7.0")
                    .contains("cdp_access_source_cache_total{result=\"stale\",source=\"dir\"} 1.0")
                    .contains("cdp_access_source_up{source=\"dir\"} 0.0")
                    .contains("cdp_access_source_breaker_open{source=\"dir\"} 1.0");
        }
    }

    @Test
    void oneLookupThatTimesOutIsOneLookupAndEachDecisionThatStoppedWaitingIsOneAbandonedWait() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-12-01T09:00:00Z"));
        ScriptedSource directory = new ScriptedSource();
        CountDownLatch giveUp = new CountDownLatch(1);
        directory.answer(new ScriptedSource.HangsUntil(giveUp));
        try (Served served = Served.by(directory, clock)) {
            Metrics metrics = served.metrics();
            SourceRegistry registry = served.registry();
            SourceConfig config = dir(Duration.ofSeconds(30));
            SourceSet set = registry.open(List.of(config));
            List<SourceLookups> decisions = List.of(startDeciding(set, clock), startDeciding(set, clock));
            for (SourceLookups decision : decisions) {
                assertThatThrownBy(() -> decision.facts("dir")).isInstanceOf(SourceLookups.Unavailable.class);
                assertThat(decision.uses().get("dir").outcome()).isEqualTo("timeout");
            }
            // The one lookup the decisions shared, still in flight; it ends when the client gives up.
            CompletableFuture<LiveSource.Asked> lookup = set.sources()
                    .iterator()
                    .next()
                    .ask(new SourceKey("alice", "alice", 42, "main", Optional.empty(), clock.instant()));
            giveUp.countDown();
            assertThat(lookup.get().outcome()).isEqualTo(SourceOutcome.ERROR);

            String scrape = metrics.scrape();
            assertThat(directory.lookups()).isEqualTo(1);
            assertThat(scrape)
                    .contains("cdp_access_source_lookup_seconds_count{outcome=\"error\",source=\"dir\"} 1")
                    .doesNotContain("outcome=\"timeout\"")
                    .contains("cdp_access_source_waits_abandoned_total{source=\"dir\"} 2.0");
        }
    }

    /** A registry whose sources count into a real Prometheus registry, as the service wires them. */
    private record Served(Metrics metrics, SourceRegistry registry) implements AutoCloseable {
        static Served by(ScriptedSource directory, TestClock clock) {
            AtomicReference<SourceRegistry> serving = new AtomicReference<>();
            Metrics metrics = new Metrics();
            SourceRegistry registry = new SourceRegistry(
                    new SourceKinds(Map.of("ldap", directory)),
                    clock,
                    new SourceMeters(metrics, serving::get),
                    Duration.ZERO);
            serving.set(registry);
            return new Served(metrics, registry);
        }

        @Override
        public void close() {
            registry.close();
            metrics.close();
        }
    }

    /** The source {@code dir}: a second's fresh answers, a quarter hour of stale ones. */
    private static SourceConfig dir(Duration timeout) {
        return ScriptedSource.config(
                "dir",
                timeout,
                new SourceConfig.SourceCache(
                        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(15), 100));
    }

    private static SourceLookups startDeciding(SourceSet set, TestClock clock) {
        return set.start(
                Set.of("dir"),
                "alice",
                42,
                "main",
                clock.instant(),
                Deadline.start(Ticker.system(), Duration.ofMillis(250)));
    }
}
