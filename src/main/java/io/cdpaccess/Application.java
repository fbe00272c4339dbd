package io.cdpaccess;

import io.cdpaccess.access.Callers;
import io.cdpaccess.access.LiveCallers;
import io.cdpaccess.access.RecordBeforeAnswer;
import io.cdpaccess.access.UserAccess;
import io.cdpaccess.audit.CheckpointKeys;
import io.cdpaccess.audit.Checkpointer;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.Spool;
import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.RestartNeeded;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.db.ChainedWriter;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.PolicyFile;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.http.Health;
import io.cdpaccess.http.RedcapListener;
import io.cdpaccess.http.Rehearsal;
import io.cdpaccess.http.WarmUp;
import io.cdpaccess.meters.DecisionLogMeters;
import io.cdpaccess.meters.PolicyMeters;
import io.cdpaccess.meters.ReadinessMeters;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.meters.RestartMeters;
import io.cdpaccess.meters.SourceMeters;
import io.cdpaccess.meters.StoreMeters;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.LivePolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.LiveSnapshot;
import io.cdpaccess.store.Store;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Ticker;
import io.cdpaccess.tls.ServerKeys;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * The running service, assembled by plain constructors in this one place, bottom up: metrics,
 * database, store snapshot, decision log, live policy, decider, the request path, health, the
 * REDCap listener. {@link #close()} stops them in reverse order, so the listener stops taking
 * requests before the decision log drains and the database closes, and the metrics registry,
 * which all of them record into, closes last.
 */
public final class Application implements AutoCloseable {

    /** How long the warm-up at start may take: well within the 2 s in which readiness is promised. */
    static final Duration WARM_UP_BUDGET = Duration.ofMillis(1_200);

    /** The kinds of fact source this build knows. */
    static final SourceKinds SOURCE_KINDS = SourceKinds.standard();

    /** How long a source replaced by a reload stays open for decisions still using it: the longest deadline. */
    static final Duration SOURCE_GRACE = Duration.ofSeconds(30);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final ServiceConfig config;
    private final Metrics metrics;
    private final Database database;
    private final Store store;
    private final LiveSnapshot snapshot;
    private final LivePolicy<Rules> policy;
    private final RedcapListener listener;
    private final Health health;
    private final WarmUp.Report warmUp;

    private Application(
            ServiceConfig config, ConfigLoader loader, UnaryOperator<ServiceConfig> commandLine, Clock clock)
            throws PolicyException {
        this.config = config;
        // Before anything opens: a bad policy changes nothing. Its sources open with the rest.
        CompiledPolicy compiled = Policies.compile(config, SOURCE_KINDS);
        // Then the certificate: a key that does not fit stops the start before the store opens.
        Optional<ServerKeys> tls = config.tls().map(t -> ServerKeys.load(t, clock));
        try {
            metrics = track(new Metrics());
            database = track(Database.open(config.store(), "cdp-access", metrics.registry()));
            store = new Store(database, clock, ChainedWriter.thisProcess("server"));
            snapshot = track(LiveSnapshot.start(store, clock, config.store().refreshInterval()));
            StoreMeters.register(metrics, snapshot);
            // Closed after the decision log, which writes what is queued when it closes: the last
            // checkpoint then covers the last record.
            AtomicReference<Checkpointer> checkpoints = new AtomicReference<>();
            track(() -> Optional.ofNullable(checkpoints.get()).ifPresent(Checkpointer::close));
            ServiceEvents events = new ServiceEvents(store);
            events.started(config);
            // Recorded before the last checkpoint, so that it covers the stop too.
            track(events::stopped);
            DecisionLog decisionLog = track(new DecisionLog(
                    database.dataSource(),
                    clock,
                    DecisionLog.DEFAULT_REFUSALS_PER_ADDRESS_PER_MINUTE,
                    Optional.of(Spool.open(config.dataDir()))));
            checkpoints.set(new Checkpointer(
                    List.of(decisionLog.chain(), new Checkpointer.Writer("changes", store::changesHead)),
                    signingKeys(config)::current,
                    Checkpointer.sinks(
                            true,
                            config.audit().checkpointFile(),
                            config.audit().checkpointSyslog()),
                    clock,
                    config.audit().checkpointEvery()));
            DecisionLogMeters.register(metrics, decisionLog);
            LiveCallers callers = new LiveCallers(config, clock);
            RestartNeeded restartNeeded = new RestartNeeded(config);
            RestartMeters.register(metrics, restartNeeded);
            AtomicReference<SourceRegistry> sourcesForMeters = new AtomicReference<>();
            SourceRegistry sources = track(new SourceRegistry(
                    SOURCE_KINDS, clock, new SourceMeters(metrics, sourcesForMeters::get), SOURCE_GRACE));
            sourcesForMeters.set(sources);
            Rules rules = Policies.open(compiled, config, sources);
            // A reloaded file whose policy compiles brings its caller settings along; a refused one neither.
            // Both compare what the file now says as the service would run it, command line included.
            AtomicReference<ServiceConfig> current = new AtomicReference<>(config);
            PolicyFile policyFile = new PolicyFile(config.source(), loader, sources, reloaded -> {
                ServiceConfig effective = commandLine.apply(reloaded);
                callers.apply(effective);
                restartNeeded.reloaded(effective);
                events.reloaded(current.getAndSet(effective), effective);
            });
            policy = track(LivePolicy.start(
                    rules,
                    policyFile,
                    policyFile.triggers(store::policyReloadRequests),
                    clock,
                    config.store().refreshInterval()));
            PolicyMeters.register(metrics, policy);
            Decider decider = Decider.withSources(policy, snapshot, clock);

            // The meters read the first limiter; the limiters of later reloads carry its totals on.
            RequestMeters requestMeters = new RequestMeters(
                    metrics.registry(), config.instances(), callers.get().limiter(), config.deadline());
            UserAccess userAccess = new UserAccess(
                    callers, decider, new RecordBeforeAnswer(decisionLog), clock, Ticker.system(), config.deadline());
            Health health = new Health(snapshot, decisionLog, policy);
            ReadinessMeters.register(metrics, () -> health.readiness().ready());
            Rehearsal rehearsal = rehearsal(config, policy, decisionLog, clock);
            listener = track(RedcapListener.start(
                    config, tls, userAccess, requestMeters, rehearsal, callers, health, metrics, clock));
            // Ready only once warm: /health/ready says not-ready until then, at most WARM_UP_BUDGET.
            warmUp = WarmUp.run(rehearsal, listener, ownAddress(config.listen().host()), WARM_UP_BUDGET);
            this.health = health;
            health.warmedUp();
            // Also the first line through the log's encoder, so that the first decision's is not.
            LoggerFactory.getLogger(Application.class)
                    .info(
                            "warmed up in {} ms ({} rehearsals of REDCap's call, none recorded)",
                            warmUp.took().toMillis(),
                            warmUp.rehearsed());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the service; throws with a one-line message if any part cannot start.
     *
     * @param loader reads the configuration file again when the policy is reloaded
     * @throws PolicyException when the policy does not compile (each problem names file, line, rule)
     */
    public static Application start(ServiceConfig config, ConfigLoader loader, Clock clock) throws PolicyException {
        return new Application(config, loader, UnaryOperator.identity(), clock);
    }

    /**
     * Starts the service with settings given on the command line over the file's.
     *
     * @param config the file's configuration with {@code commandLine} applied
     * @param commandLine what the command line sets over the file ({@code serve --listen}): applied to
     *     each reloaded file too, so that a reload compares what the service would run with
     */
    public static Application start(
            ServiceConfig config, ConfigLoader loader, UnaryOperator<ServiceConfig> commandLine, Clock clock)
            throws PolicyException {
        return new Application(config, loader, commandLine, clock);
    }

    /**
     * Re-reads the configuration file (SIGHUP does this): the policy and the caller settings
     * swap in; settings that need a restart are reported.
     */
    public LivePolicy.Reload reloadPolicy(String trigger) {
        return policy.reload(trigger);
    }

    public LivePolicy<Rules> policy() {
        return policy;
    }

    /**
     * What answers the warm-up's rehearsals of REDCap's call: the first instance under a secret
     * made now, deciding with the service's policy on a store of their own (one grant) and its
     * sources offline (found nothing, asked nothing), their records rolled back and their counts
     * on a registry nobody reads.
     */
    private static Rehearsal rehearsal(
            ServiceConfig config, Supplier<Rules> policy, DecisionLog decisionLog, Clock clock) {
        InstanceConfig instance = config.instances().get(0);
        StoreSnapshot store = WarmUp.store(instance.name(), clock.instant());
        Rules live = policy.get();
        Rules offline = new Rules(live.policy(), live.sources().offline(clock));
        Decider decider = Decider.withSources(() -> offline, () -> store, clock);
        String secret = CallerSecret.generate();
        Callers callers = Callers.rehearsal(config, instance, CallerSecret.parse(secret), clock);
        UserAccess userAccess = new UserAccess(
                () -> callers,
                decider,
                RecordBeforeAnswer.rehearsal(decisionLog),
                clock,
                Ticker.system(),
                config.deadline());
        RequestMeters unread = new RequestMeters(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                callers.instances(),
                callers.limiter(),
                config.deadline());
        return new Rehearsal(userAccess, decider, unread, instance, secret);
    }

    /** Where the warm-up reaches the listener: its address, or loopback when it listens on every interface. */
    private static String ownAddress(String host) {
        return switch (host) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::" -> "::1";
            default -> host;
        };
    }

    /** The checkpoint keys, made at the first start; one that cannot be read stops the start. */
    private static CheckpointKeys signingKeys(ServiceConfig config) {
        CheckpointKeys keys = new CheckpointKeys(config.dataDir());
        try {
            keys.current();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "cannot use the checkpoint key in " + keys.directory() + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private <T extends AutoCloseable> T track(T component) {
        started.push(component);
        return component;
    }

    public ServiceConfig config() {
        return config;
    }

    /** What {@code /health/ready} would say now. */
    public Health.Readiness readiness() {
        return health.readiness();
    }

    /** How the warm-up at start went. */
    public WarmUp.Report warmUp() {
        return warmUp;
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
                LoggerFactory.getLogger(Application.class).warn("error while stopping: {}", e.getMessage());
            }
        }
    }
}
