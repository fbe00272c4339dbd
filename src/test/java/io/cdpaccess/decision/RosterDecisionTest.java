package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.FactField;
import io.cdpaccess.config.FactField.Type;
import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.meters.ServerSourceState;
import io.cdpaccess.meters.SourceMeters;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.ops.PrometheusText;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.source.LiveSource;
import io.cdpaccess.source.SourceHealth;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roster sources through the {@link Decider}, with real files the source reloads by itself: a
 * row removed from the file stops granting at the next reload (no cache keeps it), a training
 * date in the past denies, and no failure ever allows.
 */
class RosterDecisionTest {

    static final Instant T0 = Instant.parse("2026-12-01T15:00:00Z");

    static final String POLICY = """
            policy:
              rules:
                - {name: no-ehr-account, effect: deny, when: "!ehr.found || !ehr.active"}
                - {name: training-missing-or-expired, effect: deny,
                   when: "!training.found || !has(training.expires_on) || training.expires_on <= now"}
                - {name: trained-ehr-user, effect: allow,
                   when: "ehr.found && ehr.active && training.found && training.expires_on > now"}
            """;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(T0);
    final Metrics metrics = new Metrics();
    final AtomicReference<SourceRegistry> serving = new AtomicReference<>();
    final SourceRegistry registry =
            new SourceRegistry(SourceKinds.standard(), clock, new SourceMeters(metrics, serving::get), Duration.ZERO);

    {
        serving.set(registry);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    SourceConfig roster(String name, String file, List<FactField> columns) {
        RosterSettings settings = new RosterSettings(
                dir.resolve(file),
                "username",
                columns,
                ',',
                StandardCharsets.UTF_8,
                ";",
                ZoneId.of("America/Chicago"),
                1_000,
                Duration.ofMillis(20));
        // A long cache on purpose: a roster's answers must not be cached at all.
        SourceConfig.SourceCache cache =
                new SourceConfig.SourceCache(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), 1_000);
        return new SourceConfig(
                name,
                "test.yaml:1",
                Duration.ofSeconds(1),
                cache,
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                settings);
    }

    Decider decider() throws Exception {
        List<SourceConfig> sources = List.of(
                roster("ehr", "ehr-users.csv", List.of(new FactField("active", "active", Type.BOOL))),
                roster("training", "training.csv", List.of(new FactField("expires_on", "expires_on", Type.DATE))));
        CompiledPolicy policy = Policies.compile(
                new ConfigLoader(Map.of()).loadPolicy("policy.yaml", POLICY),
                registry.kinds().variables(sources));
        Rules rules = new Rules(policy, registry.open(sources));
        return Decider.withSources(() -> rules, () -> new StoreSnapshot(0, List.of(), List.of(), List.of()), clock);
    }

    void replace(String file, String text) throws Exception {
        Path tmp = dir.resolve(file + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    LiveSource source(String name) {
        return registry.current().sources().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** Waits (at most 10 s) for the source's poller to have read the file. */
    void awaitHealth(String name, Predicate<SourceHealth> reached) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!reached.test(source(name).health())) {
            assertThat(System.nanoTime())
                    .as("the roster was not reloaded in time")
                    .isLessThan(until);
            Thread.sleep(10);
        }
    }

    static boolean rows(SourceHealth h, long n) {
        return !h.stale() && h.loaded().map(l -> l.rows() == n).orElse(false);
    }

    @Test
    void aRowRemovedFromTheFileStopsGrantingAtTheNextReload() throws Exception {
        replace("ehr-users.csv", "username,active\nalice,true\nbob,true\n");
        replace("training.csv", "username,expires_on\nalice,2027-06-30\nbob,2027-06-30\n");
        Decider decider = decider();
        Decision first = SourceFactsTest.decide(decider, "alice");
        assertThat(first.effect()).as(first.detail()).isEqualTo(Effect.ALLOW);
        assertThat(SourceFactsTest.decide(decider, "Bob").effect()).isEqualTo(Effect.ALLOW);

        replace("ehr-users.csv", "username,active\nalice,true\n"); // bob left
        awaitHealth("ehr", h -> rows(h, 1));

        Decision bob = SourceFactsTest.decide(decider, "bob");
        assertThat(bob.effect()).isEqualTo(Effect.DENY);
        assertThat(bob.reason()).isEqualTo("no-ehr-account");
        assertThat(bob.sources().get("ehr").cached()).isFalse();
        assertThat(SourceFactsTest.decide(decider, "alice").effect()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void aTrainingDateInThePastDeniesAndTheDayItselfStillAllows() throws Exception {
        replace("ehr-users.csv", "username,active\nalice,true\nbob,true\ncarol,false\n");
        replace("training.csv", "username,expires_on\nalice,2026-11-30\nbob,2026-12-01\ncarol,2027-01-01\n");
        Decider decider = decider();
        // 15:00 UTC on 2026-12-01 is 09:00 in Chicago: bob's training is good to the end of today.
        assertThat(SourceFactsTest.decide(decider, "alice").reason()).isEqualTo("training-missing-or-expired");
        assertThat(SourceFactsTest.decide(decider, "bob").effect()).isEqualTo(Effect.ALLOW);
        assertThat(SourceFactsTest.decide(decider, "carol").reason()).isEqualTo("no-ehr-account");
        assertThat(SourceFactsTest.decide(decider, "dave").effect()).isEqualTo(Effect.DENY);

        clock.set(Instant.parse("2026-12-02T06:00:00Z")); // midnight in Chicago
        assertThat(SourceFactsTest.decide(decider, "bob").reason()).isEqualTo("training-missing-or-expired");
    }

    @Test
    void aMissingFileAtStartNeverAllowsAndAGoodOneLaterIsUsed() throws Exception {
        replace("ehr-users.csv", "username,active\nalice,true\n");
        Decider decider = decider(); // no training.csv yet
        Decision missing = SourceFactsTest.decide(decider, "alice");
        assertThat(missing.effect()).isNotEqualTo(Effect.ALLOW);
        assertThat(missing.detail()).contains("training: no good roster loaded yet: the file ");
        assertThat(metrics.scrape()).contains("cdp_access_source_stale{source=\"training\"} 1.0");

        replace("training.csv", "username,expires_on\nalice,2027-06-30\n");
        awaitHealth("training", h -> rows(h, 1));
        assertThat(SourceFactsTest.decide(decider, "alice").effect()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void aMalformedNewFileKeepsTheLastGoodServingMarkedStaleInTheDecisionAndTheMetrics() throws Exception {
        replace("ehr-users.csv", "username,active\nalice,true\n");
        replace("training.csv", "username,expires_on\nalice,2027-06-30\n");
        Decider decider = decider();
        assertThat(metrics.scrape())
                .contains("cdp_access_source_stale{source=\"training\"} 0.0")
                .contains("cdp_access_source_rows{source=\"training\"} 1.0")
                .doesNotContain("cdp_access_source_stale{source=\"ldap\"");

        replace("training.csv", "username,expires_on\nalice,2027-06-30\nbob,31/12/2026\n");
        awaitHealth("training", SourceHealth::stale);

        Decision alice = SourceFactsTest.decide(decider, "alice");
        assertThat(alice.effect()).isEqualTo(Effect.ALLOW);
        assertThat(alice.sources().get("training").stale()).isTrue();
        assertThat(alice.detail())
                .contains("(stale facts: training: serving the roster loaded at")
                .contains("refused training.csv line 3, column 2 (expires_on): expected a date such as 2026-06-30,"
                        + " not '31/12/2026'");
        String scrape = metrics.scrape();
        assertThat(scrape)
                .contains("cdp_access_source_stale{source=\"training\"} 1.0")
                .contains("cdp_access_source_stale{source=\"ehr\"} 0.0")
                .contains("cdp_access_source_loaded_timestamp_seconds{source=\"training\"} "
                        + (double) (T0.toEpochMilli() / 1000));
        // What sources test prints under the source, from the server's /metrics.
        assertThat(ServerSourceState.of(PrometheusText.parse(scrape))
                        .get("training")
                        .line())
                .startsWith("STALE: serving the copy loaded 2026-12-01T15:00:00Z (1 rows); its log says why, up");

        replace("training.csv", "username,expires_on\nalice,2027-06-30\nbob,2026-12-31\n");
        awaitHealth("training", h -> rows(h, 2));
        assertThat(SourceFactsTest.decide(decider, "alice")
                        .sources()
                        .get("training")
                        .stale())
                .isFalse();
        assertThat(metrics.scrape()).contains("cdp_access_source_stale{source=\"training\"} 0.0");
    }
}
