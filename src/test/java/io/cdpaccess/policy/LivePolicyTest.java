package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.PolicyFile;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.TestTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the policy while decisions are being made: atomic, refusing broken policies, reported. */
class LivePolicyTest {

    static final String HEAD = io.cdpaccess.testing.ServiceUnderTest.prodConfig("");

    @TempDir
    Path dir;

    /** A policy of ten rules all named with one prefix, so a decision shows which policy it saw. */
    static String policy(String prefix, String lastEffect) {
        StringBuilder sb = new StringBuilder("policy:\n  rules:\n");
        for (int i = 0; i < 10; i++) {
            sb.append("    - name: ")
                    .append(prefix)
                    .append(i)
                    .append("\n      effect: ")
                    .append(i == 9 ? lastEffect : "deny")
                    .append("\n      when: ")
                    .append(i == 9 ? "request.project_id > 0" : "request.project_id == " + (1000 + i))
                    .append('\n');
        }
        return sb.toString();
    }

    /** The policy of {@code config}'s file, live, as the service runs it. */
    static LivePolicy<Rules> watching(ServiceConfig config, Clock clock, LongSupplier reloadRequests, Duration interval)
            throws PolicyException {
        SourceRegistry sources =
                new SourceRegistry(SourceKinds.standard(), clock, SourceMetrics.NONE, Duration.ofSeconds(1));
        PolicyFile file = new PolicyFile(config.source(), new ConfigLoader(Map.of()), sources, reloaded -> {});
        return LivePolicy.start(Policies.load(config, sources), file, file.triggers(reloadRequests), clock, interval);
    }

    ServiceConfig write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        return new ConfigLoader(Map.of()).load(file);
    }

    @Test
    void underEightThreadsOfDecisionsEveryDecisionSeesExactlyOnePolicy() throws Exception {
        Path file = dir.resolve("c.yaml");
        ServiceConfig config = write(file, HEAD + policy("a", "allow"));
        String versionA = Policies.compile(config).version();
        AtomicLong reloadRequests = new AtomicLong();
        try (LivePolicy<Rules> live = watching(config, Clock.systemUTC(), reloadRequests::get, Duration.ofHours(1))) {
            Decider decider = Decider.withSources(
                    live, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), Clock.systemUTC());
            InstanceConfig prod = config.instances().get(0);
            AccessRequest request = AccessRequest.of("alice", 42, RedcapUrl.parse("https://redcap.example.edu/"));
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong decided = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch started = new CountDownLatch(8);
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    started.countDown();
                    while (running.get()) {
                        try {
                            PolicyResult r = decider.decide(
                                            prod, request, Optional.of("10.0.0.5"), TestTicker.generous())
                                    .explanation()
                                    .orElseThrow();
                            String prefixes = r.outcomes().stream()
                                    .map(o -> o.rule().substring(0, 1))
                                    .distinct()
                                    .collect(Collectors.joining());
                            boolean consistent = prefixes.length() == 1
                                    && (prefixes.equals("a") ? r.allowed() : !r.allowed())
                                    && r.outcomes().size() == 10
                                    && r.outcomes().stream().noneMatch(o -> o.result() == RuleOutcome.Result.ERROR);
                            if (!consistent) {
                                problems.add("mixed or wrong: " + r.outcomes());
                            }
                            decided.incrementAndGet();
                        } catch (RuntimeException e) {
                            problems.add(e.toString());
                        }
                    }
                });
            }
            started.await();
            String versionB = null;
            for (int i = 0; i < 40; i++) {
                boolean toB = i % 2 == 0;
                write(file, HEAD + (toB ? policy("b", "deny") : policy("a", "allow")));
                LivePolicy.Reload reload = live.reload("test " + i);
                assertThat(reload.problems()).isEmpty();
                if (toB) {
                    versionB = reload.status().version();
                }
                Thread.sleep(5);
            }
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            assertThat(problems).isEmpty();
            assertThat(decided.get()).isGreaterThan(100);
            assertThat(versionB).isNotEqualTo(versionA);
            assertThat(live.get().version()).isEqualTo(versionA);
        }
    }

    @Test
    void aChangedFileIsPickedUpByTheWatcherAndABrokenOneLeavesTheLastGoodPolicyServingMarkedStale() throws Exception {
        Path file = dir.resolve("c.yaml");
        ServiceConfig config = write(file, HEAD + policy("a", "allow"));
        try (LivePolicy<Rules> live = watching(config, Clock.systemUTC(), () -> 0L, Duration.ofMillis(50))) {
            String a = live.get().version();

            Files.writeString(file, HEAD + policy("b", "deny"));
            awaitVersionNot(live, a);
            String b = live.get().version();
            assertThat(live.status().stale()).isFalse();

            Files.writeString(
                    file, HEAD + "policy:\n  rules:\n    - name: x\n      effect: allow\n      when: request.nope\n");
            // The watcher may catch the file half-written (empty) first; that too is refused, and
            // the whole file is read at the next tick.
            await(
                    () -> live.status()
                            .staleBecause()
                            .map(s -> s.contains("nope"))
                            .orElse(false),
                    "the broken rule to be reported");
            assertThat(live.get().version()).isEqualTo(b);
            assertThat(live.status().staleBecause())
                    .get()
                    .asString()
                    .contains("c.yaml:")
                    .contains("nope");

            Files.writeString(file, HEAD + policy("a", "allow"));
            awaitVersionNot(live, b);
            assertThat(live.status().stale()).isFalse();
            assertThat(live.get().version()).isEqualTo(a);
        }
    }

    @Test
    void aReloadRequestThroughTheStoreReloadsEvenWhenTheFileDidNotChange() throws Exception {
        Path file = dir.resolve("c.yaml");
        ServiceConfig config = write(file, HEAD + policy("a", "allow"));
        AtomicLong requests = new AtomicLong(5);
        io.cdpaccess.testing.TestClock clock =
                new io.cdpaccess.testing.TestClock(Instant.parse("2026-11-28T12:00:00Z"));
        try (LivePolicy<Rules> live = watching(config, clock, requests::get, Duration.ofHours(1))) {
            clock.advance(Duration.ofMinutes(1));
            live.checkForChanges(); // nothing changed: nothing reloaded
            assertThat(live.status().loadedAt()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));

            requests.incrementAndGet(); // what `cdp-access policy reload` does, from any machine
            clock.advance(Duration.ofMinutes(1));
            live.checkForChanges();

            assertThat(live.status().loadedAt()).isEqualTo(Instant.parse("2026-11-28T12:02:00Z"));
            assertThat(live.status().stale()).isFalse();
        }
    }

    @Test
    void eachRefusalIsReportedWithItsCategoryAndEveryReloadIsCounted() throws Exception {
        Path file = dir.resolve("c.yaml");
        ServiceConfig config = write(file, HEAD + policy("a", "allow"));
        io.cdpaccess.testing.TestClock clock =
                new io.cdpaccess.testing.TestClock(Instant.parse("2026-11-28T12:00:00Z"));
        try (LivePolicy<Rules> live = watching(config, clock, () -> 0L, Duration.ofHours(1))) {
            live.reload("test");
            Files.writeString(file, HEAD + policy("b", "deny"));
            String b = live.reload("test").status().version();

            clock.advance(Duration.ofMinutes(1));
            Files.writeString(
                    file, HEAD + "policy:\n  rules:\n    - name: x\n      effect: allow\n      when: request.nope\n");
            LivePolicy.Status policyInvalid = live.reload("test").status();
            clock.advance(Duration.ofMinutes(1));
            Files.writeString(file, HEAD + "listn: 127.0.0.1:1\n");
            LivePolicy.Status configInvalid = live.reload("test").status();
            Files.delete(file);
            LivePolicy.Status unreadable = live.reload("test").status();

            assertThat(policyInvalid.staleReason()).contains(LivePolicy.StaleReason.POLICY_INVALID);
            assertThat(policyInvalid.staleBecause()).get().asString().contains("nope");
            assertThat(configInvalid.staleReason()).contains(LivePolicy.StaleReason.CONFIG_INVALID);
            assertThat(configInvalid.staleBecause()).get().asString().contains("listn");
            assertThat(unreadable.staleReason()).contains(LivePolicy.StaleReason.CONFIG_UNREADABLE);
            assertThat(unreadable.staleBecause()).get().asString().contains("file not found");
            assertThat(unreadable.staleSince())
                    .contains(Instant.parse("2026-11-28T12:01:00Z")); // since the first refusal
            assertThat(unreadable.version()).isEqualTo(b);
            assertThat(live.get().version()).isEqualTo(b);

            Files.writeString(file, HEAD + policy("b", "deny")); // the policy serving, back in the file
            LivePolicy.Status current = live.reload("test").status();
            assertThat(current.stale()).isFalse();
            assertThat(current.staleReason()).isEmpty();
            assertThat(current.loadedAt()).isEqualTo(Instant.parse("2026-11-28T12:02:00Z"));
            assertThat(live.reloads(LivePolicy.ReloadResult.APPLIED)).isEqualTo(1);
            assertThat(live.reloads(LivePolicy.ReloadResult.UNCHANGED)).isEqualTo(2);
            assertThat(live.reloads(LivePolicy.ReloadResult.REFUSED)).isEqualTo(3);
        }
    }

    private static void awaitVersionNot(LivePolicy<Rules> live, String version) throws InterruptedException {
        await(() -> !live.get().version().equals(version), "the policy to change from " + version);
    }

    private static void awaitStale(LivePolicy<Rules> live) throws InterruptedException {
        await(() -> live.status().stale(), "the policy to be reported stale");
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
