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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
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
 * {@link #status()} (health, metrics, log) says the policy is stale and why, until a good one
 * arrives. The outcome of every reload is counted, for the metrics.
 */
public final class LivePolicy implements Supplier<CompiledPolicy>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivePolicy.class);

    /**
     * What health checks, metrics and operators see.
     *
     * @param loadedAt when the policy serving was last loaded successfully
     * @param staleReason why the last reload was refused, as a fixed category (a metrics label)
     * @param staleBecause the same in full: every problem, with file and line (for the log)
     * @param staleSince when reloads began to be refused
     */
    public record Status(String version, String origin, Instant loadedAt, Optional<StaleReason> staleReason,
                         Optional<String> staleBecause, Optional<Instant> staleSince) {
        public Status {
            if (staleReason.isPresent() != staleBecause.isPresent() || staleBecause.isPresent() != staleSince.isPresent()) {
                throw new IllegalArgumentException("a stale status has a reason, its text and a time; a current one none");
            }
        }

        public boolean stale() {
            return staleBecause.isPresent();
        }
    }

    /** Why a reload was refused, in few enough kinds to alert on and to label a time series with. */
    public enum StaleReason {
        /** The configuration file is missing or cannot be read. */
        CONFIG_UNREADABLE("config-unreadable"),
        /** The file was read but is not a valid configuration (YAML, keys, values, rule structure). */
        CONFIG_INVALID("config-invalid"),
        /** The configuration is valid but its rules do not compile or type-check. */
        POLICY_INVALID("policy-invalid"),
        /** Something unexpected; the log has the details. */
        INTERNAL_ERROR("internal-error");

        private final String label;

        StaleReason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** How a reload attempt ended. */
    public enum ReloadResult {
        /** A policy of another version now serves. */
        APPLIED,
        /** The file was read and compiled to the policy already serving (it may have been stale before). */
        UNCHANGED,
        /** The new policy was refused; the last good one keeps serving. */
        REFUSED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
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
    private final Map<ReloadResult, LongAdder> reloads = new EnumMap<>(ReloadResult.class);
    private volatile byte[] lastFileDigest;
    private volatile long lastRequests;

    private LivePolicy(ServiceConfig config, CompiledPolicy initial, ConfigLoader loader, Clock clock,
                       LongSupplier reloadRequests) {
        this.configFile = config.source().toAbsolutePath();
        this.loader = loader;
        this.clock = clock;
        this.reloadRequests = reloadRequests;
        this.current = new AtomicReference<>(initial);
        this.status = new AtomicReference<>(current(initial));
        for (ReloadResult result : ReloadResult.values()) {
            reloads.put(result, new LongAdder());
        }
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

    /** How many reloads since start ended this way. */
    public long reloads(ReloadResult result) {
        return reloads.get(result).sum();
    }

    /** Re-reads the configuration file and swaps in its policy if it compiles. */
    public Reload reload(String trigger) {
        synchronized (reloading) {
            lastFileDigest = digest(configFile);
            CompiledPolicy candidate;
            try {
                candidate = Policies.compile(loader.load(configFile));
            } catch (ConfigException e) {
                return refuse(trigger, e.unreadable() ? StaleReason.CONFIG_UNREADABLE : StaleReason.CONFIG_INVALID,
                        e.problems());
            } catch (PolicyException e) {
                return refuse(trigger, StaleReason.POLICY_INVALID, e.problems());
            } catch (RuntimeException e) {
                return refuse(trigger, StaleReason.INTERNAL_ERROR, List.of(configFile + ": " + e.getMessage()));
            }
            boolean wasStale = status.get().stale();
            CompiledPolicy previous = current.getAndSet(candidate);
            Status now = current(candidate);
            status.set(now);
            boolean changed = !previous.version().equals(candidate.version());
            reloads.get(changed ? ReloadResult.APPLIED : ReloadResult.UNCHANGED).increment();
            if (changed) {
                log.info("policy reloaded ({}): version {} -> {}, {} rules; other settings apply at the next restart",
                        trigger, previous.version(), candidate.version(), candidate.rules().size());
            } else if (wasStale) {
                log.info("policy is current again ({}): version {}", trigger, candidate.version());
            }
            return new Reload(changed, now, List.of());
        }
    }

    private Status current(CompiledPolicy policy) {
        return new Status(policy.version(), policy.origin(), clock.instant(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private Reload refuse(String trigger, StaleReason reason, List<String> problems) {
        Status previous = status.get();
        String because = String.join("; ", problems);
        Status stale = new Status(previous.version(), previous.origin(), previous.loadedAt(), Optional.of(reason),
                Optional.of(because), Optional.of(previous.staleSince().orElse(clock.instant())));
        status.set(stale);
        reloads.get(ReloadResult.REFUSED).increment();
        log.error("policy reload ({}) refused ({}), still serving version {}: {}", trigger, reason.label(),
                previous.version(), because);
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
