package io.cdpaccess.source;

import io.cdpaccess.config.SourceConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the configured sources, and on each reload the new set: a source whose configuration
 * did not change is the same {@link LiveSource}, its cache, connections and breaker kept; a
 * changed or removed one is closed once decisions that may still use it are done ({@code
 * grace}). Owns the threads lookups run on.
 */
public final class SourceRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SourceRegistry.class);

    private final SourceKinds kinds;
    private final Clock clock;
    private final SourceMetrics metrics;
    private final Duration grace;
    private final ExecutorService lookups;
    private final ScheduledExecutorService retirer;
    private Map<SourceConfig, LiveSource> open = new HashMap<>();
    /** Replaced sources not yet closed: closed at the end of their grace, or with the registry. */
    private final java.util.Set<LiveSource> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private volatile SourceSet current = SourceSet.none();

    /**
     * @param grace how long a replaced source stays open: the longest a decision can run
     */
    public SourceRegistry(SourceKinds kinds, Clock clock, SourceMetrics metrics, Duration grace) {
        this.kinds = kinds;
        this.clock = clock;
        this.metrics = metrics;
        this.grace = grace;
        AtomicInteger n = new AtomicInteger();
        // Lookups block on the network; each waits at most its source's timeout, and in-flight
        // lookups per source are bounded by max_concurrent, so the pool needs no bound of its own.
        this.lookups = Executors.newCachedThreadPool(r -> daemon(r, "cdp-access-source-" + n.incrementAndGet()));
        this.retirer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cdp-access-source-retire"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public SourceKinds kinds() {
        return kinds;
    }

    /** The set last opened. */
    public SourceSet current() {
        return current;
    }

    /**
     * The sources of {@code configs}, reusing those that did not change. Nothing changes when a
     * source cannot be opened.
     *
     * @throws SourceException naming the source, when one cannot work at all
     */
    public synchronized SourceSet open(List<SourceConfig> configs) throws SourceException {
        Map<SourceConfig, LiveSource> next = new HashMap<>();
        List<LiveSource> ordered = new ArrayList<>();
        List<LiveSource> opened = new ArrayList<>();
        try {
            for (SourceConfig config : configs) {
                LiveSource source = open.get(config);
                if (source == null) {
                    SourceKind kind = kinds.kind(config);
                    SourceClient client;
                    try {
                        client = kind.open(config, clock);
                    } catch (SourceException e) {
                        throw new SourceException(
                                config.origin() + ": source '" + config.name() + "': " + e.getMessage(), e);
                    }
                    source = new LiveSource(config, kind, client, clock, lookups, metrics);
                    opened.add(source);
                }
                next.put(config, source);
                ordered.add(source);
            }
        } catch (SourceException | RuntimeException e) {
            opened.forEach(LiveSource::close);
            throw e;
        }
        List<LiveSource> retired = new ArrayList<>();
        open.forEach((config, source) -> {
            if (!next.containsKey(config)) {
                retired.add(source);
            }
        });
        open = next;
        SourceSet set = new SourceSet(ordered);
        current = set;
        if (!retired.isEmpty()) {
            retiring.addAll(retired);
            // Closing is all the task does; a failure to close is the source's to log.
            java.util.concurrent.Future<?> unused = retirer.schedule(
                    () -> retired.forEach(source -> {
                        if (retiring.remove(source)) {
                            source.close();
                        }
                    }),
                    grace.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        for (LiveSource source : opened) {
            metrics.serving(source.name());
            lookups.execute(() -> warnIfWritable(source));
        }
        return set;
    }

    /** Sources only read: an account that could write is one leaked password away from harm. */
    private static void warnIfWritable(LiveSource source) {
        try {
            source.writeAccessWarning()
                    .ifPresent(w -> log.warn(
                            "source '{}' ({}): {}; give it a read-only account",
                            source.name(),
                            source.config().origin(),
                            w));
        } catch (RuntimeException e) {
            log.debug("source '{}': could not find out whether its account can write", source.name(), e);
        }
    }

    @Override
    public synchronized void close() {
        retirer.shutdownNow();
        open.values().forEach(LiveSource::close);
        retiring.forEach(LiveSource::close);
        retiring.clear();
        open = new HashMap<>();
        lookups.shutdownNow();
    }
}
