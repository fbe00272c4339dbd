package io.cdpaccess;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionLogMeters;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.LivePolicy;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.PolicyMeters;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.http.RedcapListener;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.store.Database;
import io.cdpaccess.store.LiveSnapshot;
import io.cdpaccess.store.StoreMeters;
import io.cdpaccess.store.Store;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The running service, assembled by plain constructors in this one place: metrics, database,
 * store snapshot, decider, decision log, REDCap listener. {@link #close()} stops them in reverse
 * order, so the listener stops taking requests before the decision log drains and the database
 * closes, and the metrics registry, which all of them record into, closes last.
 */
public final class Application implements AutoCloseable {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final ServiceConfig config;
    private final Metrics metrics;
    private final Database database;
    private final Store store;
    private final LiveSnapshot snapshot;
    private final LivePolicy policy;
    private final RedcapListener listener;

    private Application(ServiceConfig config, ConfigLoader loader, Clock clock) throws PolicyException {
        this.config = config;
        CompiledPolicy compiled = Policies.compile(config); // before anything opens: a bad policy changes nothing
        try {
            metrics = track(new Metrics());
            database = track(Database.open(config.store(), "cdp-access", metrics.registry()));
            store = new Store(database, clock);
            snapshot = track(LiveSnapshot.start(store, clock, config.store().refreshInterval()));
            StoreMeters.register(metrics, snapshot);
            DecisionLog decisionLog = track(new DecisionLog(database.dataSource(), clock));
            DecisionLogMeters.register(metrics, decisionLog);
            policy = track(LivePolicy.start(config, compiled, loader, clock, store::policyReloadRequests,
                    config.store().refreshInterval()));
            PolicyMeters.register(metrics, policy);
            Decider decider = new Decider(policy, snapshot, clock);
            listener = track(RedcapListener.start(config, decider, decisionLog, snapshot, policy, metrics, clock));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the service; throws with a one-line message if any part cannot start.
     *
     * @param loader reads the configuration file again when the policy is reloaded
     *
     * @throws PolicyException when the policy does not compile (each problem names file, line, rule)
     */
    public static Application start(ServiceConfig config, ConfigLoader loader, Clock clock) throws PolicyException {
        return new Application(config, loader, clock);
    }

    /** Re-reads the policy from the configuration file (SIGHUP does this). */
    public LivePolicy.Reload reloadPolicy(String trigger) {
        return policy.reload(trigger);
    }

    public LivePolicy policy() {
        return policy;
    }

    private <T extends AutoCloseable> T track(T component) {
        started.push(component);
        return component;
    }

    public ServiceConfig config() {
        return config;
    }

    public int port() {
        return listener.port();
    }

    public boolean https() {
        return listener.https();
    }

    public Database database() {
        return database;
    }

    public Store store() {
        return store;
    }

    public LiveSnapshot snapshot() {
        return snapshot;
    }

    public Metrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Application.class).warn("error while stopping: {}", e.getMessage());
            }
        }
    }
}
