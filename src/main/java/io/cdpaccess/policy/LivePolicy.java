package io.cdpaccess.policy;

import io.cdpaccess.time.Poller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, replaced while the service runs: when one of its {@link ReloadTrigger}s
 * moves (the configuration file changed; {@code cdp-access policy reload} asked, through the
 * store, so every server hears it), or when {@link #reload} is called (SIGHUP). A reload is one
 * atomic swap of an immutable {@link CompiledPolicy} from the injected {@link PolicyLoader}, and
 * a decision reads the reference once, so no request ever sees half of one policy and half of
 * another. A new policy that does not load or compile is refused: the last good one keeps
 * serving, and {@link #status()} (health, metrics, log) says the policy is stale and why, until a
 * good one arrives. The outcome of every reload is counted, for the metrics.
 */
public final class LivePolicy<T extends LoadedPolicy> implements Supplier<T>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivePolicy.class);

    /**
     * What health checks, metrics and operators see.
     *
     * @param loadedAt when the policy serving was last loaded successfully
     * @param staleReason why the last reload was refused, as a fixed category (a metrics label)
     * @param staleBecause the same in full: every problem, with file and line (for the log)
     * @param staleSince when reloads began to be refused
     */
    public record Status(
            String version,
            String origin,
            Instant loadedAt,
            Optional<StaleReason> staleReason,
            Optional<String> staleBecause,
            Optional<Instant> staleSince) {
        public Status {
            if (staleReason.isPresent() != staleBecause.isPresent()
                    || staleBecause.isPresent() != staleSince.isPresent()) {
                throw new IllegalArgumentException(
                        "a stale status has a reason, its text and a time; a current one none");
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
        /** The policy loaded is the one already serving (it may have been stale before). */
        UNCHANGED,
        /** The new policy was refused; the last good one keeps serving. */
        REFUSED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The outcome of one reload attempt. */
    public record Reload(boolean changed, Status status, List<String> problems) {}

    private final PolicyLoader<T> loader;
    private final List<ReloadTrigger> triggers;
    private final Clock clock;
    private final AtomicReference<T> current;
    private final AtomicReference<Status> status;
    private final Object reloading = new Object();
    private final Map<ReloadResult, LongAdder> reloads = new EnumMap<>(ReloadResult.class);
    /** Per trigger, the state last seen; changed only under the reload lock. */
    private final List<Object> lastStates;

    private final Poller watcher;

    private LivePolicy(
            T initial, PolicyLoader<T> loader, List<ReloadTrigger> triggers, Clock clock, Duration interval) {
        this.loader = loader;
        this.triggers = List.copyOf(triggers);
        this.clock = clock;
        this.current = new AtomicReference<>(initial);
        this.status = new AtomicReference<>(current(initial));
        for (ReloadResult result : ReloadResult.values()) {
            reloads.put(result, new LongAdder());
        }
        this.lastStates = new ArrayList<>();
        for (ReloadTrigger trigger : this.triggers) {
            lastStates.add(trigger.state());
        }
        this.watcher = Poller.start("cdp-access-policy", interval, this::checkForChanges);
    }

    /**
     * Starts serving {@code initial} and looking at {@code triggers} every {@code interval}.
     *
     * @param loader what a reload loads
     */
    public static <T extends LoadedPolicy> LivePolicy<T> start(
            T initial, PolicyLoader<T> loader, List<ReloadTrigger> triggers, Clock clock, Duration interval) {
        return new LivePolicy<>(initial, loader, triggers, clock, interval);
    }

    @Override
    public T get() {
        return current.get();
    }

    public Status status() {
        return status.get();
    }

    /** Whether changes are still watched for: false once the watcher stopped on an error. */
    public boolean watching() {
        return watcher.running();
    }

    /** How many reloads since start ended this way. */
    public long reloads(ReloadResult result) {
        return reloads.get(result).sum();
    }

    /** Loads the policy again and swaps it in if it can be used. */
    public Reload reload(String trigger) {
        synchronized (reloading) {
            rememberStatesReadByReload();
            T candidate;
            try {
                candidate = loader.load();
            } catch (PolicyLoadException e) {
                return refuse(trigger, e.reason(), e.problems());
            } catch (RuntimeException e) {
                return refuse(trigger, StaleReason.INTERNAL_ERROR, List.of("the policy could not be loaded: " + e));
            }
            boolean wasStale = status.get().stale();
            T previous = current.getAndSet(candidate);
            Status now = current(candidate);
            status.set(now);
            boolean changed = !previous.version().equals(candidate.version());
            reloads.get(changed ? ReloadResult.APPLIED : ReloadResult.UNCHANGED).increment();
            if (changed) {
                log.info(
                        "policy reloaded ({}): version {} -> {}, {} rules",
                        trigger,
                        previous.version(),
                        candidate.version(),
                        candidate.ruleCount());
            } else if (wasStale) {
                log.info("policy is current again ({}): version {}", trigger, candidate.version());
            }
            return new Reload(changed, now, List.of());
        }
    }

    private Status current(LoadedPolicy policy) {
        return new Status(
                policy.version(),
                policy.origin(),
                clock.instant(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    private Reload refuse(String trigger, StaleReason reason, List<String> problems) {
        Status previous = status.get();
        String because = String.join("; ", problems);
        Status stale = new Status(
                previous.version(),
                previous.origin(),
                previous.loadedAt(),
                Optional.of(reason),
                Optional.of(because),
                Optional.of(previous.staleSince().orElse(clock.instant())));
        status.set(stale);
        reloads.get(ReloadResult.REFUSED).increment();
        log.error(
                "policy reload ({}) refused ({}), still serving version {}: {}",
                trigger,
                reason.label(),
                previous.version(),
                because);
        return new Reload(false, stale, List.copyOf(problems));
    }

    /**
     * One watcher tick: reloads when a trigger's state moved, the first such trigger naming the
     * reload. States are read before taking the reload lock, so a slow store delays only the
     * watcher, never a SIGHUP reload.
     */
    void checkForChanges() {
        List<Object> states = new ArrayList<>(triggers.size());
        for (ReloadTrigger trigger : triggers) {
            states.add(trigger.state());
        }
        synchronized (reloading) {
            for (int i = 0; i < triggers.size(); i++) {
                Object state = states.get(i);
                if (state != null && !Objects.equals(state, lastStates.get(i))) {
                    lastStates.set(i, state);
                    reload(triggers.get(i).name());
                    return;
                }
            }
        }
    }

    /** Remembers the states a reload makes current (what it reads): a change made while it loads is seen later. */
    private void rememberStatesReadByReload() {
        for (int i = 0; i < triggers.size(); i++) {
            if (triggers.get(i).readByReload()) {
                Object state = triggers.get(i).state();
                if (state != null) {
                    lastStates.set(i, state);
                }
            }
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
