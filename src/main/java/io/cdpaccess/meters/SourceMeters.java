package io.cdpaccess.meters;

import io.cdpaccess.ops.Metrics;
import io.cdpaccess.source.LiveSource;
import io.cdpaccess.source.SourceHealth;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceOutcome;
import io.cdpaccess.source.SourceRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Each fact source's meters: lookups by outcome with their latency (one per lookup made,
 * however many decisions waited for it), decisions that stopped waiting, cache hits, misses and
 * stale answers, and gauges of whether it is up and its breaker open. The gauges read the sources
 * serving at each scrape, so a source added by a reload appears with its first lookup, and one
 * removed reads as absent (NaN).
 */
public final class SourceMeters implements SourceMetrics {

    /** The decisions' latency buckets: a lookup is part of a decision's wait. */
    private static final Duration[] BUCKETS = RequestMeters.BUCKETS.toArray(Duration[]::new);

    private final Metrics metrics;
    private final Supplier<SourceRegistry> registry;
    private final Set<String> withGauges = ConcurrentHashMap.newKeySet();
    private final Set<String> withHealthGauges = ConcurrentHashMap.newKeySet();

    /** @param registry the sources serving (supplied late: the registry reports to these meters) */
    public SourceMeters(Metrics metrics, Supplier<SourceRegistry> registry) {
        this.metrics = metrics;
        this.registry = registry;
    }

    @Override
    public void lookup(String source, SourceOutcome outcome, long nanos) {
        gauges(source);
        Timer.builder("cdp_access.source.lookup")
                .description("Lookups at a fact source, by how they ended (breaker-open: not asked); "
                        + "decisions that stopped waiting are cdp_access_source_waits_abandoned_total")
                .tag("source", source)
                .tag("outcome", outcome.label())
                .serviceLevelObjectives(BUCKETS)
                .register(metrics.registry())
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void waitAbandoned(String source) {
        gauges(source);
        Counter.builder("cdp_access.source.waits.abandoned")
                .description("Decisions that stopped waiting for a fact source's answer (deadline or timeout "
                        + "first), each once, also when several shared one lookup")
                .tag("source", source)
                .register(metrics.registry())
                .increment();
    }

    @Override
    public void cache(String source, String result) {
        gauges(source);
        Counter.builder("cdp_access.source.cache")
                .description("Fact source answers asked of the cache: hit, miss, or stale (an old answer used while "
                        + "the source fails)")
                .tag("source", source)
                .tag("result", result)
                .register(metrics.registry())
                .increment();
    }

    /**
     * The gauges of a source that serves a loaded copy (a roster), from the start: one stale since
     * start shows before any lookup.
     */
    @Override
    public void serving(String source) {
        healthGauges(source);
    }

    private void healthGauges(String source) {
        if (!live(source).map(LiveSource::answersFromMemory).orElse(false)) {
            return; // a source asked on every lookup is as current as its system: its failures are lookups
        }
        if (!withHealthGauges.add(source)) {
            return;
        }
        Gauge.builder(
                        "cdp_access.source.stale",
                        () -> health(source).map(h -> h.stale() ? 1 : 0).orElse(null))
                .description("1 while the fact source serves an older copy than its system holds (a newer"
                        + " roster file was refused, or it vanished), or none yet; the log says why")
                .tag("source", source)
                .register(metrics.registry());
        Gauge.builder(
                        "cdp_access.source.loaded.timestamp.seconds",
                        () -> health(source)
                                .flatMap(SourceHealth::loaded)
                                .map(l -> l.at().toEpochMilli() / 1000.0)
                                .orElse(null))
                .description("When the copy the fact source serves (a roster file) was loaded, Unix time")
                .tag("source", source)
                .register(metrics.registry());
        Gauge.builder(
                        "cdp_access.source.rows",
                        () -> health(source)
                                .flatMap(SourceHealth::loaded)
                                .map(SourceHealth.Loaded::rows)
                                .orElse(null))
                .description("Rows in the copy the fact source serves (a roster file)")
                .tag("source", source)
                .register(metrics.registry());
    }

    private Optional<SourceHealth> health(String source) {
        return live(source).map(LiveSource::health);
    }

    private void gauges(String source) {
        if (!withGauges.add(source)) {
            return;
        }
        Gauge.builder(
                        "cdp_access.source.up",
                        () -> status(source).map(s -> s.up() ? 1 : 0).orElse(null))
                .description("1 when the fact source's last lookup succeeded")
                .tag("source", source)
                .register(metrics.registry());
        Gauge.builder(
                        "cdp_access.source.breaker.open",
                        () -> status(source)
                                .map(s -> s.breaker().equals("closed") ? 0 : 1)
                                .orElse(null))
                .description("1 while the fact source's circuit breaker is open or half-open (it is not asked)")
                .tag("source", source)
                .register(metrics.registry());
    }

    private Optional<LiveSource.Status> status(String source) {
        return live(source).map(LiveSource::status);
    }

    private Optional<LiveSource> live(String source) {
        SourceRegistry r = registry.get();
        if (r == null) {
            return Optional.empty();
        }
        return r.current().sources().stream()
                .filter(s -> s.name().equals(source))
                .findFirst();
    }
}
