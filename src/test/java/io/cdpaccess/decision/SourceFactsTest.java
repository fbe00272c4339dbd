package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.Explanations;
import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.ScriptedSource;
import io.cdpaccess.testing.ScriptedSource.Fails;
import io.cdpaccess.testing.ScriptedSource.Found;
import io.cdpaccess.testing.ScriptedSource.Hangs;
import io.cdpaccess.testing.ScriptedSource.NotFound;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The machinery every fact source shares, through the {@link Decider}: a scripted source stands
 * for the directory behind it; the clock is pinned where time matters.
 */
class SourceFactsTest {

    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    static final RedcapUrl URL = RedcapUrl.parse("https://redcap.example.edu/");
    static final InstanceConfig PROD =
            new InstanceConfig("prod", Optional.of(URL), CallerSecret.parse("prod-secret-0123456789-XYZ"), List.of());
    static final SourceConfig.SourceCache CACHE =
            new SourceConfig.SourceCache(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(15), 1_000);

    /** Epic users pass; anyone the directory does not know, or outside the group, is denied. */
    static final String EPIC_POLICY = """
            policy:
              rules:
                - {name: not-in-directory, effect: deny, when: "!dir.found"}
                - {name: not-epic, effect: deny, when: "!('Epic' in dir.groups)"}
                - {name: epic-user, effect: allow, when: "'Epic' in dir.groups"}
            """;

    final TestClock clock = new TestClock(T0);
    final ScriptedSource directory = new ScriptedSource();
    final SourceRegistry registry =
            new SourceRegistry(new SourceKinds(Map.of("ldap", directory)), clock, SourceMetrics.NONE, Duration.ZERO);

    @AfterEach
    void close() {
        registry.close();
        directory.release();
    }

    Decider decider(String policyYaml, SourceConfig... sources) throws Exception {
        CompiledPolicy policy = Policies.compile(
                new ConfigLoader(Map.of()).loadPolicy("policy.yaml", policyYaml),
                registry.kinds().variables(List.of(sources)));
        Rules rules = new Rules(policy, registry.open(List.of(sources)));
        return Decider.withSources(() -> rules, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), clock);
    }

    static Decision decide(Decider decider, String user) {
        return decider.decide(
                PROD,
                AccessRequest.of(user, 42, URL),
                Optional.empty(),
                Deadline.start(Ticker.system(), Duration.ofSeconds(5)));
    }

    @Test
    void aCachedAnswerIsUsedWithoutAskingAgain() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));
        directory.answer(new Found(List.of("Epic"), Optional.empty()));

        Decision first = decide(decider, "alice");
        clock.advance(Duration.ofMinutes(4));
        Decision second = decide(decider, "alice");

        assertThat(first.effect()).isEqualTo(Effect.ALLOW);
        assertThat(second.effect()).isEqualTo(Effect.ALLOW);
        assertThat(directory.lookups()).isEqualTo(1);
        assertThat(first.sources().get("dir").cached()).isFalse();
        assertThat(second.sources().get("dir").cached()).isTrue();
        assertThat(second.sources().get("dir").outcome()).isEqualTo("found");

        clock.advance(Duration.ofMinutes(2)); // past cache.found: asked again
        decide(decider, "alice");
        assertThat(directory.lookups()).isEqualTo(2);
    }

    @Test
    void aPolicyThatReadsNoSourceNeverAsksIt() throws Exception {
        Decider decider = decider("""
                policy:
                  rules:
                    - {name: everyone, effect: allow, when: "request.user != ''"}
                """, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));

        assertThat(decide(decider, "alice").effect()).isEqualTo(Effect.ALLOW);
        assertThat(directory.lookups()).isZero();
    }

    @Test
    void aStaleAnswerStandsInWithinStaleIfErrorAndIsMarkedThenNoLonger() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));
        directory.answer(new Found(List.of("Epic"), Optional.empty()));
        decide(decider, "alice");
        directory.answer(new Fails("connection refused"));

        clock.advance(Duration.ofMinutes(19)); // 5 fresh + 14 of the 15 stale minutes
        Decision stale = decide(decider, "alice");
        assertThat(stale.effect()).isEqualTo(Effect.ALLOW);
        assertThat(stale.sources().get("dir").stale()).isTrue();
        assertThat(stale.sources().get("dir").error()).contains("connection refused");
        assertThat(stale.detail()).contains("(stale facts: dir: connection refused)");

        clock.advance(Duration.ofMinutes(2)); // past stale_if_error: the leaver's grace is over
        Decision after = decide(decider, "alice");
        assertThat(after.effect()).isEqualTo(Effect.ERROR);
        assertThat(after.reason()).isEqualTo(Reason.FACT_ERROR.code());
        assertThat(after.detail()).contains("dir: connection refused");
    }

    @Test
    void aCachedAnswerNeverOutlivesTheExpiryItEncodes() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));
        directory.answer(new Found(List.of("Epic"), Optional.of(T0.plus(Duration.ofMinutes(2)))));
        decide(decider, "alice");
        directory.answer(new Fails("directory down"));

        clock.advance(Duration.ofMinutes(3)); // within cache.found and stale_if_error, but past the expiry
        Decision after = decide(decider, "alice");

        assertThat(directory.lookups()).isEqualTo(2);
        assertThat(after.effect()).isNotEqualTo(Effect.ALLOW);
        assertThat(after.sources().get("dir").stale()).isFalse();
    }

    @Test
    void theBreakerOpensAfterRepeatedFailuresAndClosesByItself() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));
        directory.answer(new Fails("connection refused"));
        for (int i = 0; i < 5; i++) {
            decide(decider, "user" + i);
        }
        assertThat(directory.lookups()).isEqualTo(5);

        Decision shortCut = decide(decider, "user9");
        assertThat(directory.lookups()).as("an open breaker does not ask").isEqualTo(5);
        assertThat(shortCut.effect()).isEqualTo(Effect.ERROR);
        assertThat(shortCut.sources().get("dir").outcome()).isEqualTo("breaker-open");
        assertThat(registry.current().sources().iterator().next().status().breaker())
                .isEqualTo("open");

        directory.answer(new Found(List.of("Epic"), Optional.empty()));
        clock.advance(Duration.ofSeconds(6)); // past the first open period: one probe goes through
        assertThat(decide(decider, "user9").effect()).isEqualTo(Effect.ALLOW);
        assertThat(registry.current().sources().iterator().next().status().breaker())
                .isEqualTo("closed");
        assertThat(decide(decider, "user10").effect()).isEqualTo(Effect.ALLOW);
        assertThat(directory.lookups()).isEqualTo(7);
    }

    @Test
    void aSourceThatNeverAnswersCannotHoldTheDecisionPastItsDeadline() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(20), CACHE));
        directory.answer(new Hangs());
        Deadline deadline = Deadline.start(Ticker.system(), Duration.ofMillis(500));

        Decision d = decider.decide(PROD, AccessRequest.of("alice", 42, URL), Optional.empty(), deadline);

        assertThat(deadline.passed()).as("decided within the deadline").isFalse();
        assertThat(deadline.elapsedNanos())
                .isGreaterThanOrEqualTo(Duration.ofMillis(390).toNanos());
        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.sources().get("dir").outcome()).isEqualTo("timeout");
    }

    @Test
    void concurrentDecisionsForOneUserShareOneLookup() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(5), CACHE));
        directory.answer(new Hangs());
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Decision>> decisions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                decisions.add(pool.submit(() -> decide(decider, "alice")));
            }
            Thread.sleep(300);
            directory.release();
            for (Future<Decision> f : decisions) {
                assertThat(f.get().effect()).isNotEqualTo(Effect.ALLOW);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(directory.lookups()).isEqualTo(1);
    }

    @Test
    void aKeyTakenFromAnotherSourceIsLookedUpAfterIt() throws Exception {
        SourceConfig redcap = ScriptedSource.config("redcap", Duration.ofSeconds(1), CACHE);
        SourceConfig dir = ScriptedSource.config(
                "dir",
                Duration.ofSeconds(1),
                CACHE,
                new IdentityMapping(
                        Optional.of("redcap.ehr_username"), false, Optional.empty(), Optional.of("example.edu")));
        Decider decider = decider(EPIC_POLICY, redcap, dir);
        directory.answer(new Found(List.of("Epic"), Optional.empty()));

        Decision d = decide(decider, "Alice");

        assertThat(d.effect()).isEqualTo(Effect.ALLOW);
        assertThat(directory.keys()).containsExactly("alice", "alice-ehr@example.edu");
        assertThat(d.sources().keySet())
                .as("the source asked only for the key is explained too, before the one it keyed")
                .containsExactly("redcap", "dir");
        assertThat(d.sources().get("redcap").outcome()).isEqualTo("found");
        assertThat(d.sources().get("redcap").cached()).isFalse();
        assertThat(Explanations.toJson(d.explanation().orElseThrow(), d.sources()))
                .containsSubsequence("\"sources\":{", "\"redcap\":{\"latency_us\":", "\"dir\":{");
    }

    /** A source whose key comes from {@code redcap}, and rules that read only it. */
    Decider keyedViaRedcap() throws Exception {
        return decider(
                EPIC_POLICY,
                ScriptedSource.config("redcap", Duration.ofSeconds(2), CACHE),
                ScriptedSource.config(
                        "dir",
                        Duration.ofSeconds(2),
                        CACHE,
                        new IdentityMapping(
                                Optional.of("redcap.ehr_username"),
                                false,
                                Optional.empty(),
                                Optional.of("example.edu"))));
    }

    /** {@code irb}: asked with the project's IRB number from {@code redcap}, its cache as given. */
    Decider askedWithTheIrbNumber(SourceConfig.SourceCache redcapCache) throws Exception {
        return decider(
                """
                policy:
                  rules:
                    - {name: not-on-protocol, effect: deny, when: "!irb.found"}
                    - {name: on-protocol, effect: allow, when: irb.found}
                """,
                ScriptedSource.config("redcap", Duration.ofSeconds(1), redcapCache),
                ScriptedSource.config(
                        "irb", Duration.ofSeconds(1), CACHE, IdentityMapping.NONE, Optional.of("redcap.irb_number")));
    }

    @Test
    void aSourceAskedWithTheProjectsIrbNumberIsAskedAfterTheSourceThatGivesIt() throws Exception {
        Decider decider = askedWithTheIrbNumber(CACHE);
        directory.answer(new Found(List.of(), Optional.empty()));
        directory.irbNumber("alice", " IRB-2026-0042 ");

        Decision d = decide(decider, "alice");

        assertThat(d.effect()).isEqualTo(Effect.ALLOW);
        assertThat(directory.irbNumbersAsked())
                .as("redcap first, without one; then irb with the number redcap gave, trimmed")
                .containsExactly(Optional.empty(), Optional.of("IRB-2026-0042"));
        assertThat(d.sources().keySet()).containsExactly("redcap", "irb");
    }

    @Test
    void aProjectWithoutAnIrbNumberIsNotAskedAboutAndReadsAsNotFound() throws Exception {
        Decider decider = askedWithTheIrbNumber(CACHE);
        directory.answer(new Found(List.of(), Optional.empty())); // no irb_number for alice

        Decision d = decide(decider, "alice");

        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.reason()).isEqualTo("not-on-protocol");
        assertThat(directory.lookups()).as("only redcap was asked").isEqualTo(1);
    }

    @Test
    void anAnswerForOneIrbNumberIsNeverUsedForAnother() throws Exception {
        SourceConfig.SourceCache askEachTime =
                new SourceConfig.SourceCache(Duration.ZERO, Duration.ZERO, Duration.ZERO, CACHE.maxEntries());
        Decider decider = askedWithTheIrbNumber(askEachTime);
        directory.answer(new Found(List.of(), Optional.empty()));
        directory.irbNumber("alice", "IRB-1");
        decide(decider, "alice");
        directory.irbNumber("alice", "IRB-2");

        decide(decider, "alice");
        decide(decider, "alice");

        assertThat(directory.irbNumbersAsked())
                .as("IRB-2 is asked once, then cached; IRB-1's answer never stands in for it")
                .containsExactly(
                        Optional.empty(),
                        Optional.of("IRB-1"),
                        Optional.empty(),
                        Optional.of("IRB-2"),
                        Optional.empty());
    }

    @Test
    void aFailedSourceThatWasToGiveTheIrbNumberIsExplainedWithItsError() throws Exception {
        Decider decider = askedWithTheIrbNumber(CACHE);
        directory.answer(new Fails("connection refused"));

        Decision d = decide(decider, "alice");

        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.sources().get("irb").error().orElseThrow())
                .contains("its IRB number comes from redcap.irb_number, which is unavailable");
    }

    @Test
    void aStaleAnswerThatGaveTheKeyIsNamedInTheDecision() throws Exception {
        Decider decider = keyedViaRedcap();
        directory.answer(new Found(List.of("Epic"), Optional.empty()));
        decide(decider, "alice");
        directory.answer("alice", new Fails("connection refused")); // redcap fails; dir still answers

        clock.advance(Duration.ofMinutes(6)); // past cache.found, within stale_if_error
        Decision d = decide(decider, "alice");

        assertThat(d.effect()).isEqualTo(Effect.ALLOW);
        assertThat(d.sources().get("redcap").stale()).isTrue();
        assertThat(d.sources().get("redcap").error()).contains("connection refused");
        assertThat(d.sources().get("dir").stale()).isFalse();
        assertThat(d.detail()).endsWith("(stale facts: redcap: connection refused)");
    }

    @Test
    void aFailedSourceThatWasToGiveTheKeyIsExplainedWithItsError() throws Exception {
        Decider decider = keyedViaRedcap();
        directory.answer("alice", new Fails("connection refused"));

        Decision d = decide(decider, "alice");

        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(directory.keys()).containsExactly("alice");
        assertThat(d.sources().keySet()).containsExactly("redcap", "dir");
        assertThat(d.sources().get("redcap").outcome()).isEqualTo("error");
        assertThat(d.sources().get("redcap").error()).contains("connection refused");
        assertThat(d.sources().get("dir").error().orElseThrow()).contains("its key comes from redcap.ehr_username");
    }

    @Test
    void aSourceThatWasToGiveTheKeyAndNeverAnsweredIsExplainedAsATimeout() throws Exception {
        Decider decider = keyedViaRedcap();
        directory.answer(new Hangs());

        Decision d = decider.decide(
                PROD,
                AccessRequest.of("alice", 42, URL),
                Optional.empty(),
                Deadline.start(Ticker.system(), Duration.ofMillis(300)));

        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.sources().keySet()).containsExactly("redcap", "dir");
        assertThat(d.sources().get("redcap").outcome()).isEqualTo("timeout");
        assertThat(d.sources().get("redcap").stale()).isFalse();
        assertThat(d.sources().get("dir").outcome()).isEqualTo("timeout");
    }

    @Test
    void anUnknownUserIsAnOrdinaryDenyNotAnError() throws Exception {
        Decider decider = decider(EPIC_POLICY, ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE));
        directory.answer(new NotFound());

        Decision d = decide(decider, "mallory");

        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.reason()).isEqualTo("not-in-directory");
        assertThat(d.sources().get("dir").outcome()).isEqualTo("not-found");
    }

    @Test
    void theSourcesADecisionNeedsAreAskedAtOnce() throws Exception {
        SourceConfig a = ScriptedSource.config("a", Duration.ofMillis(400), CACHE);
        SourceConfig b = ScriptedSource.config("b", Duration.ofMillis(400), CACHE);
        Decider decider = decider("""
                policy:
                  rules:
                    - {name: both, effect: allow, when: "a.found && b.found"}
                """, a, b);
        directory.answer(new Hangs()); // each lookup gives up after its 400 ms timeout

        long start = System.nanoTime();
        Decision d = decide(decider, "alice");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(directory.lookups()).isEqualTo(2);
        assertThat(took)
                .as("two 400 ms waits side by side, not one after the other")
                .isLessThan(Duration.ofMillis(750));
        assertThat(d.effect()).isNotEqualTo(Effect.ALLOW);
    }

    @Test
    void aMisspeltSourceFactIsAnErrorWhenThePolicyLoads() {
        SourceConfig dir = ScriptedSource.config("dir", Duration.ofSeconds(1), CACHE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decider("""
                        policy:
                          rules:
                            - {name: epic, effect: allow, when: "'Epic' in dir.grups"}
                        """, dir))
                .isInstanceOf(io.cdpaccess.policy.PolicyException.class)
                .hasMessageContaining("policy.yaml:3: rule 'epic'")
                .hasMessageContaining("grups");
    }
}
