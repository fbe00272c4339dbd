package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.SourceUse;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.ScriptedSource;
import io.cdpaccess.testing.ScriptedSource.Script;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a source does — answers, does not know the user, fails, times out — in whatever
 * order and at whatever pace, a decision allows only on an answer the source really gave that
 * puts the user in the group, within that answer's cache life plus {@code stale_if_error}.
 */
class SourceFailureProperties {

    record Step(Script outcome, String user, Duration after) {}

    @Property(tries = 60)
    void nothingAllowsUnlessTheSourceSaidSoRecently(@ForAll("steps") List<Step> steps) throws Exception {
        TestClock clock = new TestClock(SourceFactsTest.T0);
        ScriptedSource directory = new ScriptedSource();
        SourceConfig.SourceCache cache = SourceFactsTest.CACHE;
        SourceConfig config = ScriptedSource.config("dir", Duration.ofMillis(30), cache);
        try (SourceRegistry registry = new SourceRegistry(
                new SourceKinds(Map.of("ldap", directory)), clock, SourceMetrics.NONE, Duration.ZERO)) {
            CompiledPolicy policy = Policies.compile(
                    new ConfigLoader(Map.of()).loadPolicy("policy.yaml", SourceFactsTest.EPIC_POLICY),
                    registry.kinds().variables(List.of(config)));
            Rules rules = new Rules(policy, registry.open(List.of(config)));
            Decider decider = Decider.withSources(
                    () -> rules, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), clock);
            for (Step step : steps) {
                clock.advance(step.after());
                directory.answer(step.outcome());
                Decision d = decider.decide(
                        SourceFactsTest.PROD,
                        AccessRequest.of(step.user(), 42, SourceFactsTest.URL),
                        Optional.empty(),
                        Deadline.start(Ticker.system(), Duration.ofSeconds(5)));
                SourceUse use = d.sources().get("dir");
                if (d.effect() == Effect.ALLOW) {
                    ScriptedSource.Given given = directory
                            .lastGiven(step.user())
                            .orElseThrow(() -> new AssertionError(
                                    "allowed " + step.user() + " whom the source never answered for"));
                    assertThat(given.script()).isInstanceOf(ScriptedSource.Found.class);
                    assertThat(((ScriptedSource.Found) given.script()).groups()).contains("Epic");
                    assertThat(clock.instant())
                            .isBefore(given.at().plus(cache.found()).plus(cache.staleIfError()));
                }
                // A decision may join a lookup still in flight from the step before (one that hung
                // past its wait): then that lookup's end, not this step's script, is what it got.
                if (use != null && !use.cached() && use.error().isEmpty()) {
                    boolean epic = step.outcome() instanceof ScriptedSource.Found f
                            && f.groups().contains("Epic");
                    assertThat(d.effect() == Effect.ALLOW)
                            .as("a fresh answer decides")
                            .isEqualTo(epic);
                }
                if (use != null && !use.error().isEmpty() && !use.stale()) {
                    assertThat(d.effect()).isNotEqualTo(Effect.ALLOW);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Script> outcome = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        4, Arbitraries.just(new ScriptedSource.Found(List.of("Epic"), Optional.empty()))),
                net.jqwik.api.Tuple.of(
                        2, Arbitraries.just(new ScriptedSource.Found(List.of("Other"), Optional.empty()))),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new ScriptedSource.NotFound())),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(new ScriptedSource.Fails("connection refused"))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ScriptedSource.Hangs())));
        Arbitrary<String> user = Arbitraries.of("alice", "bob");
        Arbitrary<Duration> after = Arbitraries.of(
                Duration.ZERO,
                Duration.ofSeconds(3),
                Duration.ofMinutes(2),
                Duration.ofMinutes(6),
                Duration.ofMinutes(16));
        return Combinators.combine(outcome, user, after)
                .as(Step::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(25);
    }
}
