package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.LivePolicy;
import io.cdpaccess.policy.ReloadTrigger;
import io.cdpaccess.store.LiveSnapshot;
import io.cdpaccess.store.SnapshotSource;
import io.cdpaccess.store.Store;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.time.Poller;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness with real components: a poller that stopped (the snapshot's or the policy
 * watcher's) makes the service not ready and is logged as an ERROR, instead of leaving the
 * server deciding on facts that no longer change.
 */
class HealthTest {

    private CapturedLog logged;
    private Database database;
    private Store store;
    private DecisionLog decisionLog;

    @BeforeEach
    void open() {
        logged = CapturedLog.of(Poller.class);
        database = TestDatabases.create(TestDatabases.Kind.SQLITE).open("health");
        store = new Store(database, Clock.systemUTC());
        decisionLog = new DecisionLog(database.dataSource(), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        logged.close();
        decisionLog.close();
        database.close();
    }

    /** The real store, until {@code broken} is set: then its poll throws an Error. */
    private SnapshotSource failingOnCue(AtomicBoolean broken) {
        return new SnapshotSource() {
            @Override
            public long version() {
                if (broken.get()) {
                    throw new NoClassDefFoundError("io/cdpaccess/store/GrantTable (the jar was replaced)");
                }
                return store.version();
            }

            @Override
            public StoreSnapshot snapshot() {
                return store.snapshot();
            }
        };
    }

    @Test
    void aStoppedSnapshotPollerMakesTheServiceNotReady() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        try (LiveSnapshot snapshot =
                        LiveSnapshot.start(failingOnCue(broken), Clock.systemUTC(), Duration.ofMillis(20));
                LivePolicy<CompiledPolicy> policy = livePolicy(List.of())) {
            Health health = new Health(snapshot, decisionLog, policy);
            health.warmedUp();
            assertThat(health.readiness().ready()).isTrue();

            broken.set(true);
            await(() -> !snapshot.polling());

            Health.Readiness readiness = health.readiness();
            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.watchers()).isFalse();
            assertThat(readiness.store()).isTrue(); // the store itself is fine: it is this server that went deaf
        }
        assertErrorLogged("cdp-access-snapshot stopped");
    }

    @Test
    void aStoppedPolicyWatcherMakesTheServiceNotReady() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        ReloadTrigger trigger = ReloadTrigger.of("test trigger", false, () -> {
            if (broken.get()) {
                throw new OutOfMemoryError("Java heap space");
            }
            return "same";
        });
        try (LiveSnapshot snapshot = LiveSnapshot.start(store, Clock.systemUTC(), Duration.ofMillis(20));
                LivePolicy<CompiledPolicy> policy = livePolicy(List.of(trigger))) {
            Health health = new Health(snapshot, decisionLog, policy);
            health.warmedUp();
            assertThat(health.readiness().ready()).isTrue();

            broken.set(true);
            await(() -> !policy.watching());

            assertThat(health.readiness().ready()).isFalse();
            assertThat(health.readiness().watchers()).isFalse();
        }
        assertErrorLogged("cdp-access-policy stopped");
    }

    @Test
    void theServiceIsNotReadyUntilTheWarmUpIsOver() throws Exception {
        try (LiveSnapshot snapshot = LiveSnapshot.start(store, Clock.systemUTC(), Duration.ofMillis(20));
                LivePolicy<CompiledPolicy> policy = livePolicy(List.of())) {
            Health health = new Health(snapshot, decisionLog, policy);
            assertThat(health.readiness().ready()).isFalse();
            assertThat(health.readiness().warmedUp()).isFalse();

            health.warmedUp();

            assertThat(health.readiness().ready()).isTrue();
        }
    }

    private static LivePolicy<CompiledPolicy> livePolicy(List<ReloadTrigger> triggers) throws Exception {
        CompiledPolicy policy = Policies.compile(Policies.defaultSpec());
        return LivePolicy.start(policy, () -> policy, triggers, Clock.systemUTC(), Duration.ofMillis(20));
    }

    private void assertErrorLogged(String text) {
        assertThat(logged.events()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains(text);
        });
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("within 10 s").isTrue();
    }
}
