package io.cdpaccess.meters;

import io.cdpaccess.ops.PrometheusText;
import io.cdpaccess.source.SourceOutcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One fact source as a running service sees it, read back from its {@code /metrics}
 * ({@link SourceMeters}' meters as Prometheus names them), for {@code sources test} to set beside
 * its own live lookup: the service's breaker and cache are what decide its answers, while the
 * command's own are always fresh.
 *
 * @param up whether its last lookup succeeded; empty when the service no longer serves it
 * @param breakerOpen whether its breaker is open or half-open; empty as for {@code up}
 * @param hits cache answers without asking the source
 * @param misses cache misses (the source was asked)
 * @param stale old answers used while the source failed
 * @param lookups lookups by outcome, in {@link SourceOutcome} order
 * @param copy for a source that loads a copy (a roster): whether it is stale, when it was loaded, its rows
 */
public record ServerSourceState(
        Optional<Boolean> up,
        Optional<Boolean> breakerOpen,
        long hits,
        long misses,
        long stale,
        Map<SourceOutcome, Lookups> lookups,
        Copy copy) {

    /**
     * The copy a source serves, as far as the scrape says.
     *
     * @param stale whether it is older than its system's, or there is none; empty when not reported
     * @param loadedAt when it was loaded (Unix seconds)
     * @param rows its rows
     */
    public record Copy(Optional<Boolean> stale, Optional<Double> loadedAt, Optional<Long> rows) {
        static final Copy NONE = new Copy(Optional.empty(), Optional.empty(), Optional.empty());
    }

    static final String UP = "cdp_access_source_up";
    static final String BREAKER_OPEN = "cdp_access_source_breaker_open";
    static final String CACHE = "cdp_access_source_cache_total";
    static final String LOOKUP_COUNT = "cdp_access_source_lookup_seconds_count";
    static final String LOOKUP_SUM = "cdp_access_source_lookup_seconds_sum";
    static final String STALE = "cdp_access_source_stale";
    static final String LOADED = "cdp_access_source_loaded_timestamp_seconds";
    static final String ROWS = "cdp_access_source_rows";

    public ServerSourceState {
        lookups = Map.copyOf(lookups);
    }

    /** The lookups that ended one way: how many, and their total time. */
    public record Lookups(long count, double seconds) {}

    /** Each source named in a scrape's source meters, by source name, in the order first seen. */
    public static Map<String, ServerSourceState> of(List<PrometheusText.Sample> samples) {
        Map<String, Builder> builders = new LinkedHashMap<>();
        for (PrometheusText.Sample s : samples) {
            String source = s.label("source");
            if (source.isEmpty() || !s.name().startsWith("cdp_access_source_")) {
                continue;
            }
            Builder b = builders.computeIfAbsent(source, k -> new Builder());
            double v = s.value();
            switch (s.name()) {
                case UP -> b.up = Double.isNaN(v) ? Optional.empty() : Optional.of(v == 1);
                case BREAKER_OPEN -> b.breakerOpen = Double.isNaN(v) ? Optional.empty() : Optional.of(v == 1);
                case CACHE -> {
                    switch (s.label("result")) {
                        case "hit" -> b.hits += count(v);
                        case "miss" -> b.misses += count(v);
                        case "stale" -> b.stale += count(v);
                        default -> {
                            // A result this version does not know: counted by neither.
                        }
                    }
                }
                case LOOKUP_COUNT -> outcome(s).ifPresent(o -> b.counts.merge(o, count(v), Long::sum));
                case LOOKUP_SUM -> outcome(s).ifPresent(o -> b.seconds.merge(o, v, Double::sum));
                case STALE -> b.copyStale = Double.isNaN(v) ? Optional.empty() : Optional.of(v == 1);
                case LOADED -> b.loadedAt = Double.isFinite(v) ? Optional.of(v) : Optional.empty();
                case ROWS -> b.rows = Double.isFinite(v) ? Optional.of(Math.round(v)) : Optional.empty();
                default -> {
                    // Buckets and maxima: the mean from _sum and _count is what one line can carry.
                }
            }
        }
        Map<String, ServerSourceState> states = new LinkedHashMap<>();
        builders.forEach((name, b) -> states.put(name, b.build()));
        return states;
    }

    /**
     * One line: {@code up, breaker closed, cache 93% hits (1,204 hit / 88 miss), lookups found 80
     * (avg 3.1 ms) / not-found 8 (avg 2.0 ms), stale 0}.
     */
    public String line() {
        if (up.isEmpty()
                && breakerOpen.isEmpty()
                && copy.stale().isEmpty()
                && hits + misses + stale == 0
                && lookups.isEmpty()) {
            return "no longer serves this source (removed by a reload)";
        }
        List<String> parts = new ArrayList<>();
        copy.stale().ifPresent(s -> parts.add(copyLine(s)));
        up.ifPresent(u -> parts.add(u ? "up" : "DOWN"));
        breakerOpen.ifPresent(open -> parts.add(open ? "breaker OPEN (not asked)" : "breaker closed"));
        long asked = hits + misses;
        parts.add(
                asked == 0
                        ? "cache not used yet"
                        // Rounded down: a cache that ever missed never reads 100%.
                        : "cache " + (hits * 100 / asked) + "% hits (" + grouped(hits) + " hit / " + grouped(misses)
                                + " miss)");
        List<String> byOutcome = new ArrayList<>();
        for (SourceOutcome o : SourceOutcome.values()) {
            Lookups l = lookups.get(o);
            if (l != null && l.count() > 0) {
                byOutcome.add(o.label() + " " + grouped(l.count()) + " (avg "
                        + String.format(Locale.ROOT, "%.1f", l.seconds() * 1000 / l.count()) + " ms)");
            }
        }
        parts.add(byOutcome.isEmpty() ? "no lookups" : "lookups " + String.join(" / ", byOutcome));
        parts.add("stale " + grouped(stale));
        return String.join(", ", parts);
    }

    /** {@code STALE: serving the copy loaded 2026-12-01T03:00:00Z (41,200 rows); its log says why}. */
    private String copyLine(boolean isStale) {
        String loaded = copy.loadedAt()
                .map(at -> "the copy loaded " + java.time.Instant.ofEpochMilli(Math.round(at * 1000)) + " ("
                        + copy.rows().map(ServerSourceState::grouped).orElse("?") + " rows)")
                .orElse("no copy: none loaded yet");
        return isStale ? "STALE: serving " + loaded + "; its log says why" : "current: " + loaded;
    }

    private static Optional<SourceOutcome> outcome(PrometheusText.Sample s) {
        for (SourceOutcome o : SourceOutcome.values()) {
            if (o.label().equals(s.label("outcome"))) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    private static long count(double v) {
        return Double.isFinite(v) && v > 0 ? Math.round(v) : 0;
    }

    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Gathers one source's samples, which arrive in any order. */
    private static final class Builder {
        Optional<Boolean> up = Optional.empty();
        Optional<Boolean> breakerOpen = Optional.empty();
        long hits;
        long misses;
        long stale;
        Optional<Boolean> copyStale = Optional.empty();
        Optional<Double> loadedAt = Optional.empty();
        Optional<Long> rows = Optional.empty();
        final Map<SourceOutcome, Long> counts = new EnumMap<>(SourceOutcome.class);
        final Map<SourceOutcome, Double> seconds = new EnumMap<>(SourceOutcome.class);

        ServerSourceState build() {
            Map<SourceOutcome, Lookups> lookups = new EnumMap<>(SourceOutcome.class);
            counts.forEach((o, n) -> lookups.put(o, new Lookups(n, seconds.getOrDefault(o, 0.0))));
            Copy copy = copyStale.isEmpty() && loadedAt.isEmpty() ? Copy.NONE : new Copy(copyStale, loadedAt, rows);
            return new ServerSourceState(up, breakerOpen, hits, misses, stale, lookups, copy);
        }
    }
}
