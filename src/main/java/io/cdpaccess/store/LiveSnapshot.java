package io.cdpaccess.store;

import io.cdpaccess.time.Poller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the current {@link StoreSnapshot} in memory and replaces it when the store changes.
 *
 * <p>A {@link Poller} reads the store's version every {@code interval}; when it moved (a CLI
 * command or another server wrote), the whole snapshot is reloaded and swapped in with one atomic
 * write. Decisions keep reading the previous snapshot meanwhile. When polling fails the last good
 * snapshot stays in use and {@link #health()} says since when the store is unreachable; when the
 * poller itself stopped, {@link #polling()} says so. Failed polls and reloads are counted, for the
 * metrics.
 */
public final class LiveSnapshot implements Supplier<StoreSnapshot>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveSnapshot.class);

    /** What readiness checks look at. */
    public record Health(boolean reachable, Instant lastSuccess, Optional<String> lastError) {}

    private final SnapshotSource source;
    private final Clock clock;
    private final AtomicReference<StoreSnapshot> current;
    private final AtomicReference<Health> health;
    private final LongAdder reloads = new LongAdder();
    private final LongAdder failedPolls = new LongAdder();
    private final Poller poller;

    private LiveSnapshot(SnapshotSource source, Clock clock, Duration interval) {
        this.source = source;
        this.clock = clock;
        this.current = new AtomicReference<>(source.snapshot());
        this.health = new AtomicReference<>(new Health(true, clock.instant(), Optional.empty()));
        this.poller = Poller.start("cdp-access-snapshot", interval, this::refreshQuietly);
    }

    /** Loads the first snapshot (failing if the store is unreachable) and starts polling. */
    public static LiveSnapshot start(SnapshotSource source, Clock clock, Duration interval) {
        return new LiveSnapshot(source, clock, interval);
    }

    @Override
    public StoreSnapshot get() {
        return current.get();
    }

    public Health health() {
        Health polled = health.get();
        Optional<String> lost = source.lost();
        return lost.isPresent() ? new Health(false, polled.lastSuccess(), lost) : polled;
    }

    /** Whether changes still reach this server: false once the poller stopped on an error. */
    public boolean polling() {
        return poller.running();
    }

    /** Snapshots loaded since start because the store changed (the first one not counted). */
    public long reloads() {
        return reloads.sum();
    }

    /** Polls of the store that failed since start. */
    public long failedPolls() {
        return failedPolls.sum();
    }

    /** Checks the store's version now and reloads if it moved; throws if the store is unreachable. */
    public void refresh() {
        long version = source.version();
        if (version != current.get().version()) {
            StoreSnapshot fresh = source.snapshot();
            current.set(fresh);
            reloads.increment();
            log.info("store changed: now at version {} with {} grants", fresh.version(), fresh.grantCount());
        }
        health.set(new Health(true, clock.instant(), Optional.empty()));
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            failedPolls.increment();
            Health previous = health.get();
            if (previous.reachable()) {
                log.warn(
                        "store unreachable, serving the last snapshot (version {}): {}",
                        current.get().version(),
                        e.getMessage());
            }
            health.set(new Health(false, previous.lastSuccess(), Optional.ofNullable(e.getMessage())));
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
