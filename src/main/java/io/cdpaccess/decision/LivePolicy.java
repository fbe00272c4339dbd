package io.cdpaccess.decision;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, replaced while the service runs: when the configuration file changes,
 * when {@code cdp-access policy reload} asks (through the store, so every server hears it), or on
 * SIGHUP. A reload is one atomic swap of an immutable {@link CompiledPolicy}, and a decision reads
 * the reference once, so no request ever sees half of one policy and half of another. A new
 * policy that does not load or compile is refused: the last good one keeps serving, and
 * {@link #status()} (health, log) says the policy is stale and why, until a good one arrives.
 */
public final class LivePolicy implements Supplier<CompiledPolicy>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivePolicy.class);

    /** What health checks and operators see. */
    public record Status(String version, String origin, Instant loadedAt, Optional<String> staleBecause,
                         Optional<Instant> staleSince) {
        public boolean stale() {
            return staleBecause.isPresent();
        }
    }

    /** The outcome of one reload attempt. */
    public record Reload(boolean changed, Status status, List<String> problems) {
    }

    private final Path configFile;
    private final ConfigLoader loader;
    private final Clock clock;
    private final LongSupplier reloadRequests;
    private final AtomicReference<CompiledPolicy> current;
    private final AtomicReference<Status> status;
    private final ScheduledExecutorService watcher;
    private final Object reloading = new Object();
    private volatile byte[] lastFileDigest;
    private volatile long lastRequests;

    private LivePolicy(ServiceConfig config, CompiledPolicy initial, ConfigLoader loader, Clock clock,
                       LongSupplier reloadRequests) {
        this.configFile = config.source().toAbsolutePath();
        this.loader = loader;
        this.clock = clock;
        this.reloadRequests = reloadRequests;
        this.current = new AtomicReference<>(initial);
        this.status = new AtomicReference<>(new Status(initial.version(), initial.origin(), clock.instant(),
                Optional.empty(), Optional.empty()));
        this.lastFileDigest = digest(configFile);
        this.lastRequests = safely(reloadRequests);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cdp-access-policy");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts serving {@code initial} (already compiled from {@code config}) and watching for changes
     * every {@code interval}.
     *
     * @param reloadRequests the store's count of {@code policy reload} requests
     */
    public static LivePolicy start(ServiceConfig config, CompiledPolicy initial, ConfigLoader loader, Clock clock,
                                   LongSupplier reloadRequests, Duration interval) {
        LivePolicy live = new LivePolicy(config, initial, loader, clock, reloadRequests);
        long ms = interval.toMillis();
        live.watcher.scheduleWithFixedDelay(live::checkForChanges, ms, ms, TimeUnit.MILLISECONDS);
        return live;
    }

    @Override
    public CompiledPolicy get() {
        return current.get();
    }

    public Status status() {
        return status.get();
    }

    /** Re-reads the configuration file and swaps in its policy if it compiles. */
    public Reload reload(String trigger) {
        synchronized (reloading) {
            lastFileDigest = digest(configFile);
            CompiledPolicy candidate;
            try {
                candidate = Policies.compile(loader.load(configFile));
            } catch (ConfigException e) {
                return refuse(trigger, e.problems());
            } catch (PolicyException e) {
                return refuse(trigger, e.problems());
            } catch (RuntimeException e) {
                return refuse(trigger, List.of(configFile + ": " + e.getMessage()));
            }
            boolean wasStale = status.get().stale();
            CompiledPolicy previous = current.getAndSet(candidate);
            Status now = new Status(candidate.version(), candidate.origin(), clock.instant(), Optional.empty(),
                    Optional.empty());
            status.set(now);
            boolean changed = !previous.version().equals(candidate.version());
            if (changed) {
                log.info("policy reloaded ({}): version {} -> {}, {} rules; other settings apply at the next restart",
                        trigger, previous.version(), candidate.version(), candidate.rules().size());
            } else if (wasStale) {
                log.info("policy is current again ({}): version {}", trigger, candidate.version());
            }
            return new Reload(changed, now, List.of());
        }
    }

    private Reload refuse(String trigger, List<String> problems) {
        Status previous = status.get();
        String because = String.join("; ", problems);
        Status stale = new Status(previous.version(), previous.origin(), previous.loadedAt(), Optional.of(because),
                Optional.of(previous.staleSince().orElse(clock.instant())));
        status.set(stale);
        log.error("policy reload ({}) refused, still serving version {}: {}", trigger, previous.version(), because);
        return new Reload(false, stale, List.copyOf(problems));
    }

    /** One watcher tick: the file's content or the store's reload counter moved. */
    void checkForChanges() {
        try {
            long requests = safely(reloadRequests);
            if (requests != lastRequests && requests >= 0) {
                lastRequests = requests;
                reload("policy reload request");
                return;
            }
            byte[] digest = digest(configFile);
            if (!Arrays.equals(digest, lastFileDigest)) {
                reload("configuration file changed");
            }
        } catch (RuntimeException e) {
            log.warn("policy watcher: {}", e.getMessage());
        }
    }

    private static long safely(LongSupplier counter) {
        try {
            return counter.getAsLong();
        } catch (RuntimeException storeDown) {
            return -1; // the store's own health check reports this; try again next tick
        }
    }

    /** SHA-256 of the file's bytes, or empty when unreadable (a half-written file reads as a change later). */
    private static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return new byte[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
