package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.audit.DecisionActivity.Activity;
import io.cdpaccess.audit.DecisionActivity.Counts;
import io.cdpaccess.audit.DecisionActivity.Period;
import io.cdpaccess.audit.DecisionActivity.Row;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The activity counts a reviewer reads, on each supported database: a few days of answers of
 * every kind — allows, denies, a spooled 503, a decision corrected to {@code deadline-exceeded}
 * after it was written, refused callers of which some were counted into a summary row — each
 * expected count worked out by hand from the records below.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Kind.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionActivityTest {

    static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    /** 2026-11-10 00:00 in Chicago (CST, UTC-6) to 2026-11-13 00:00: three local days. */
    static final Period PERIOD =
            new Period(Instant.parse("2026-11-10T06:00:00Z"), Instant.parse("2026-11-13T06:00:00Z"), Optional.empty());

    @Parameter
    Kind kind;

    private Database database;
    private DecisionActivity activity;

    /** Local Chicago time (CST) as an instant. */
    static Instant cst(String localDateTime) {
        return java.time.LocalDateTime.parse(localDateTime).atZone(CHICAGO).toInstant();
    }

    @BeforeParameterizedClassInvocation
    void recordDecisions() throws SQLException {
        database = TestDatabases.create(kind).open("decision-activity-" + kind);
        activity = new DecisionActivity(database.dataSource());
        TestClock clock = new TestClock(cst("2026-11-12T12:00:00"));
        DecisionRecord corrected = decision(clock, "2026-11-12T08:30:00", "prod", "erin", "44", Effect.ALLOW, "ok");
        List<DecisionRecord> records = List.of(
                // Just outside the period, on both sides.
                decision(clock, "2026-11-09T23:59:59", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                decision(clock, "2026-11-13T00:00:00", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                decision(clock, "2026-11-10T09:15:00", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                decision(clock, "2026-11-10T09:40:00", "prod", "alice", "42", Effect.ALLOW, "project-rights"),
                decision(clock, "2026-11-10T10:05:00", "prod", "bob", "42", Effect.DENY, "no-grant"),
                // Late on the 11th in Chicago, already the 12th in UTC.
                decision(clock, "2026-11-11T23:50:00", "prod", "carol", "43", Effect.DENY, "no-grant"),
                decision(clock, "2026-11-12T00:10:00", "test", "alice", "7", Effect.DENY, "blocked"),
                // The store was down: answered 503, spooled, recorded late.
                decision(clock, "2026-11-12T08:00:00", "prod", "dave", "42", Effect.ALLOW, "project-rights")
                        .asSpooled(),
                corrected);
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock, 1, Optional.empty())) {
            for (DecisionRecord r : records) {
                assertThat(log.append(r, Duration.ofSeconds(30))).isEqualTo(GroupCommit.Outcome.COMMITTED);
            }
            // Three refusals from one address in one minute: the first on its own, two summarized.
            for (int i = 0; i < 3; i++) {
                log.append(refused(clock, cst("2026-11-11T12:00:05").plusSeconds(i)), Duration.ofSeconds(30));
            }
        } // closing writes the summary
        // Its caller gave up before the record was written: corrected to deadline-exceeded.
        new DecisionTable(database.dataSource(), "test", clock)
                .write(List.of(), List.of(DecisionTable.Row.of(corrected.asDeadlineExceeded())));
    }

    @AfterParameterizedClassInvocation
    void closeDatabase() {
        database.close();
    }

    @Test
    void everyAnswerCountsOnceAsWhatItWasRefusalsInASummaryIncluded() throws SQLException {
        Activity a = activity.read(PERIOD, CHICAGO, 20);

        assertThat(a.total()).isEqualTo(new Counts(2, 3, 3, 2));
        assertThat(a.total().answers()).isEqualTo(10);
        assertThat(keyed(a.reasons()))
                .containsExactly(
                        Map.entry("unauthenticated", new Counts(0, 0, 3, 0)),
                        Map.entry("no-grant", new Counts(0, 2, 0, 0)),
                        Map.entry("project-rights", new Counts(2, 0, 0, 0)),
                        Map.entry("blocked", new Counts(0, 1, 0, 0)),
                        Map.entry("deadline-exceeded", new Counts(0, 0, 0, 1)),
                        Map.entry("log-unavailable", new Counts(0, 0, 0, 1)));
    }

    @Test
    void instancesProjectsAndUsersAreRankedWithTheAnswersWithoutOneApart() throws SQLException {
        Activity a = activity.read(PERIOD, CHICAGO, 20);

        assertThat(keyed(a.users().top()))
                .containsExactly(
                        Map.entry("alice", new Counts(2, 1, 0, 0)),
                        Map.entry("bob", new Counts(0, 1, 0, 0)),
                        Map.entry("carol", new Counts(0, 1, 0, 0)),
                        Map.entry("dave", new Counts(0, 0, 0, 1)),
                        Map.entry("erin", new Counts(0, 0, 0, 1)));
        assertThat(a.users().none()).hasValue(new Counts(0, 0, 3, 0));
        assertThat(a.users().rest()).isEmpty();
        assertThat(a.users().distinct()).isEqualTo(5);
        assertThat(keyed(a.projects().top()))
                .containsExactly(
                        Map.entry("42", new Counts(2, 1, 0, 1)),
                        Map.entry("43", new Counts(0, 1, 0, 0)),
                        Map.entry("44", new Counts(0, 0, 0, 1)),
                        Map.entry("7", new Counts(0, 1, 0, 0)));
        assertThat(a.projects().distinct()).isEqualTo(4);
        assertThat(keyed(a.instances().top()))
                .containsExactly(Map.entry("prod", new Counts(2, 2, 0, 2)), Map.entry("test", new Counts(0, 1, 0, 0)));
    }

    @Test
    void beyondTheTopNTheRestIsSummedAndCounted() throws SQLException {
        Activity a = activity.read(PERIOD, CHICAGO, 2);

        assertThat(keyed(a.users().top())).containsOnlyKeys("alice", "bob");
        assertThat(a.users().rest()).hasValue(new Counts(0, 1, 0, 2));
        assertThat(a.users().others()).isEqualTo(3);
        assertThat(a.users().distinct()).isEqualTo(5);
        assertThat(a.instances().rest()).isEmpty();
        assertThatThrownBy(() -> activity.read(PERIOD, CHICAGO, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void daysAndHoursAreThoseOfTheConfiguredZone() throws SQLException {
        Activity a = activity.read(PERIOD, CHICAGO, 20);

        assertThat(answers(a.days()))
                .containsExactly(Map.entry("2026-11-10", 3L), Map.entry("2026-11-11", 4L), Map.entry("2026-11-12", 3L));
        assertThat(a.hours()).hasSize(24);
        assertThat(answers(a.hours()).entrySet().stream().filter(e -> e.getValue() > 0))
                .containsExactly(
                        Map.entry("00", 1L),
                        Map.entry("08", 2L),
                        Map.entry("09", 2L),
                        Map.entry("10", 1L),
                        Map.entry("12", 3L),
                        Map.entry("23", 1L));

        // India is UTC+5:30: 08:30, 09:15, 09:40 and 10:05 in Chicago are 20:00, 20:45, 21:10 and
        // 21:35 there (grouped by whole UTC hours, 09:40 would land in 20).
        Activity kolkata = activity.read(PERIOD, ZoneId.of("Asia/Kolkata"), 20);
        assertThat(answers(kolkata.hours())).containsEntry("20", 2L).containsEntry("21", 2L);
        assertThat(kolkata.total()).isEqualTo(a.total());
    }

    @Test
    void anInstanceFilterAndAnEmptyPeriodCountOnlyWhatTheyHold() throws SQLException {
        Activity test = activity.read(new Period(PERIOD.since(), PERIOD.until(), Optional.of("test")), CHICAGO, 20);
        assertThat(test.total()).isEqualTo(new Counts(0, 1, 0, 0));
        assertThat(test.users().none()).isEmpty();

        Activity empty = activity.read(
                new Period(
                        Instant.parse("2025-01-01T06:00:00Z"), Instant.parse("2025-01-03T06:00:00Z"), Optional.empty()),
                CHICAGO,
                20);
        assertThat(empty.total().answers()).isZero();
        assertThat(answers(empty.days())).containsExactly(Map.entry("2025-01-01", 0L), Map.entry("2025-01-02", 0L));
        assertThat(empty.users().top()).isEmpty();
        assertThat(empty.reasons()).isEmpty();
    }

    @Test
    void aLongPeriodShowsTheDaysFromTheFirstAnswerToTheLast() throws SQLException {
        Activity years = activity.read(
                new Period(
                        Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z"), Optional.empty()),
                CHICAGO,
                20);
        assertThat(years.days().get(0).key()).hasValue("2026-11-09");
        assertThat(years.days().get(years.days().size() - 1).key()).hasValue("2026-11-13");
        assertThat(years.days()).hasSize(5);
        assertThat(years.total().answers()).isEqualTo(12);
    }

    private static Map<String, Counts> keyed(List<Row> rows) {
        return rows.stream()
                .collect(Collectors.toMap(
                        r -> r.key().orElseThrow(), Row::counts, (x, y) -> x, java.util.LinkedHashMap::new));
    }

    private static Map<String, Long> answers(List<Row> rows) {
        return rows.stream()
                .collect(Collectors.toMap(
                        r -> r.key().orElseThrow(),
                        r -> r.counts().answers(),
                        (x, y) -> x,
                        java.util.LinkedHashMap::new));
    }

    private static DecisionRecord decision(
            TestClock clock, String local, String instance, String user, String project, Effect effect, String reason) {
        return new DecisionRecord(
                Ids.next(clock),
                cst(local),
                Optional.of(instance),
                Optional.of(user),
                Optional.of(user),
                Optional.of(project),
                Optional.of("https://redcap." + instance + ".example.edu/"),
                "10.1.2.3",
                "10.1.2.3",
                effect,
                reason,
                Optional.empty(),
                200,
                150,
                Optional.empty());
    }

    private static DecisionRecord refused(TestClock clock, Instant at) {
        return new DecisionRecord(
                Ids.next(clock),
                at,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "203.0.113.9",
                "203.0.113.9",
                Effect.REJECTED,
                "unauthenticated",
                Optional.empty(),
                403,
                12,
                Optional.empty());
    }
}
