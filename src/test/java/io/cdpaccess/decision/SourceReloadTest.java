package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.LivePolicy;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.ScriptedSource;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that changes {@code sources:} and the rules reading them swaps both at once: no
 * decision sees the new rules with the old sources (a fact-error) or the reverse; a source whose
 * settings did not change keeps its cache; a replaced one is closed after its grace.
 */
class SourceReloadTest {

    @TempDir
    Path dir;

    static String config(String source, String group) {
        return ServiceUnderTest.prodConfig(
                """
                sources:
                  - name: %s
                    type: ldap
                    url: ldap://127.0.0.1:1
                    user_base: dc=example
                    user_filter: (uid={user})
                policy:
                  rules:
                    - {name: in-group-%s, effect: allow, when: "'%s' in %s.groups"}
                """.formatted(source, group.toLowerCase(java.util.Locale.ROOT), group, source));
    }

    @Test
    void sourcesAndTheRulesReadingThemAreSwappedAsOne() throws Exception {
        ScriptedSource kind = new ScriptedSource();
        kind.answer(new ScriptedSource.Found(List.of("A", "B"), Optional.empty()));
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, config("one", "A"));
        ConfigLoader loader = new ConfigLoader(Map.of());
        ServiceConfig config = loader.load(file);
        try (SourceRegistry registry = new SourceRegistry(
                        new SourceKinds(Map.of("ldap", kind)), Clock.systemUTC(), SourceMetrics.NONE, Duration.ZERO);
                LivePolicy<Rules> live = LivePolicy.start(
                        Policies.load(config, registry),
                        new PolicyFile(file, loader, registry, reloaded -> {}),
                        List.of(),
                        Clock.systemUTC(),
                        Duration.ofHours(1))) {
            Decider decider = Decider.withSources(
                    live, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), Clock.systemUTC());
            AccessRequest request = AccessRequest.of("alice", 42, RedcapUrl.parse(ServiceUnderTest.PROD_URL));
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong decided = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                pool.execute(() -> {
                    while (running.get()) {
                        Decision d = decider.decide(
                                config.instances().get(0),
                                request,
                                Optional.empty(),
                                Deadline.start(Ticker.system(), Duration.ofSeconds(5)));
                        decided.incrementAndGet();
                        if (d.effect() != Effect.ALLOW) {
                            problems.add(d.effect() + " " + d.reason() + ": " + d.detail());
                        }
                    }
                });
            }
            for (int i = 0; i < 40; i++) {
                Files.writeString(file, i % 2 == 0 ? config("two", "B") : config("one", "A"));
                assertThat(live.reload("test").problems()).isEmpty();
            }
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(decided.get()).isGreaterThan(100);
            assertThat(problems)
                    .as("decisions that saw rules and sources of different reloads")
                    .isEmpty();
        }
    }

    @Test
    void anUnchangedSourceKeepsItsCacheAcrossAReload() throws Exception {
        ScriptedSource kind = new ScriptedSource();
        kind.answer(new ScriptedSource.Found(List.of("A"), Optional.empty()));
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, config("one", "A"));
        ConfigLoader loader = new ConfigLoader(Map.of());
        try (SourceRegistry registry = new SourceRegistry(
                new SourceKinds(Map.of("ldap", kind)), Clock.systemUTC(), SourceMetrics.NONE, Duration.ZERO)) {
            Rules first = Policies.load(loader.load(file), registry);
            Decider.withSources(
                            () -> first, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), Clock.systemUTC())
                    .decide(
                            loader.load(file).instances().get(0),
                            AccessRequest.of("alice", 42, RedcapUrl.parse(ServiceUnderTest.PROD_URL)),
                            Optional.empty(),
                            Deadline.start(Ticker.system(), Duration.ofSeconds(5)));
            Files.writeString(file, config("one", "A") + "\n# an edit elsewhere\n");
            Rules second = Policies.load(loader.load(file), registry);

            assertThat(second.sources().sources().iterator().next())
                    .isSameAs(first.sources().sources().iterator().next());
            assertThat(second.sources().sources().iterator().next().status().misses())
                    .isEqualTo(1);
        }
    }
}
