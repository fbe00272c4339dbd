package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decision log on each supported database: every answer it reports committed is on the
 * record exactly as decided, and every way it can fail is reported as such rather than hidden.
 *
 * <p>The database is shared by the tests of one run of this class; each test stamps its records
 * with its own hour of decision time and reads back only that hour.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Kind.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionLogTest {

    private static final Duration PATIENT = Duration.ofSeconds(30);
    private static final AtomicInteger TEST_NUMBER = new AtomicInteger();

    @Parameter
    Kind kind;

    private TestDatabase testDatabase;
    private Database database;
    private DecisionQuery query;
    private TestClock clock;
    /** Start of this test's hour of decision time. */
    private Instant hour;

    @BeforeParameterizedClassInvocation
    void openDatabase() {
        testDatabase = TestDatabases.create(kind);
        database = testDatabase.open("decision-log-" + kind);
        query = new DecisionQuery(database.dataSource());
    }

    @AfterParameterizedClassInvocation
    void closeDatabase() {
        database.close();
    }

    @BeforeEach
    void newHour() {
        hour = Instant.parse("2026-05-01T00:00:00Z").plus(Duration.ofHours(TEST_NUMBER.incrementAndGet()));
        clock = new TestClock(hour);
    }

    @Test
    void concurrentAppendsAllCommitAndReadBackWithEveryFieldIntact() throws Exception {
        int threads = 16;
        int perThread = 200;
        List<DecisionRecord> appended = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        try (DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC())) {
            List<Callable<List<Outcome>>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<DecisionRecord> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    mine.add(record(t * perThread + i));
                }
                appended.addAll(mine);
                work.add(() -> mine.stream().map(r -> log.append(r, PATIENT)).toList());
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (Future<List<Outcome>> f : pool.invokeAll(work)) {
                    outcomes.addAll(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(log.lastFailure()).isEmpty();
        }

        assertThat(outcomes).hasSize(threads * perThread).containsOnly(Outcome.COMMITTED);
        List<DecisionRecord> read = query.list(thisHour());
        assertThat(read).containsExactlyInAnyOrderElementsOf(appended);
        assertThat(read).filteredOn(r -> r.instance().isEmpty()).hasSize(threads * perThread / 4);
        assertThat(read).isSortedAccordingTo((a, b) -> a.decidedAt().compareTo(b.decidedAt()));
    }

    @Test
    void overlongAndUnstorableTextIsRecordedRatherThanFailingTheBatch() throws SQLException {
        // A malformed request is recorded with what the caller sent, which may contain a NUL
        // (%00): PostgreSQL refuses U+0000 in text, and one unstorable row must not fail the
        // batch and answer 503 to everyone in it.
        DecisionRecord nul = Records.withUserAndDetail(record(1), "ann\u0000ie", "detail\u0000");
        String longDetail = "x".repeat(999) + "😀"; // the emoji straddles the 1,000-character column limit
        DecisionRecord overlong = Records.withUserAndDetail(record(2), "ü".repeat(400), longDetail);

        try (DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC())) {
            assertThat(log.append(nul, PATIENT)).isEqualTo(Outcome.COMMITTED);
            assertThat(log.append(overlong, PATIENT)).isEqualTo(Outcome.COMMITTED);
        }

        DecisionRecord nulRead = query.find(nul.decisionId()).orElseThrow();
        assertThat(nulRead.user()).contains("ann\uFFFDie");
        assertThat(nulRead.detail()).contains("detail\uFFFD");
        DecisionRecord overlongRead = query.find(overlong.decisionId()).orElseThrow();
        assertThat(overlongRead.user()).contains("ü".repeat(300));
        assertThat(overlongRead.detail()).contains("x".repeat(999));
    }

    @Test
    void aRecordWhoseDeadlinePassesBeforeItIsTakenIsWrittenAsDeadlineExceeded() throws Exception {
        HikariDataSource pool = database.dataSource().unwrap(HikariDataSource.class);
        DecisionRecord first = record(1);
        DecisionRecord late = record(2);
        DecisionRecord after = record(3);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC())) {
            // Keep the writer busy with `first` by holding every pooled connection, so that
            // `late` is certainly still queued when its (zero) deadline passes.
            List<Connection> held = new ArrayList<>();
            Future<Outcome> firstOutcome;
            try {
                for (int i = 0; i < TestDatabases.POOL_SIZE; i++) {
                    held.add(database.connection());
                }
                firstOutcome = background.submit(() -> log.append(first, PATIENT));
                awaitWriterWaitingForConnection(pool);

                assertThat(log.append(late, Duration.ZERO)).isEqualTo(Outcome.TIMED_OUT);
            } finally {
                for (Connection c : held) {
                    c.close();
                }
            }
            assertThat(firstOutcome.get()).isEqualTo(Outcome.COMMITTED);
            // The writer takes records in order: once `after` is committed, `late` was written.
            assertThat(log.append(after, PATIENT)).isEqualTo(Outcome.COMMITTED);
        } finally {
            background.shutdownNow();
        }

        DecisionRecord written = query.find(late.decisionId()).orElseThrow();
        assertThat(written).isEqualTo(late.asDeadlineExceeded());
        assertThat(written.effect()).isEqualTo(Effect.ERROR);
        assertThat(written.reason()).isEqualTo("deadline-exceeded");
        assertThat(written.httpStatus()).isEqualTo(503);
        assertThat(written.grantId()).isEmpty();
        assertThat(written.detail())
                .contains(
                        "not recorded within the deadline; was " + late.effect().label() + "/" + late.reason());
        assertThat(written.user()).isEqualTo(late.user());
        assertThat(query.find(first.decisionId())).contains(first);
        assertThat(query.find(after.decisionId())).contains(after);
    }

    @Test
    void whileTheDatabaseIsDownAppendsFailAndAfterItIsBackTheyCommitAgain() throws SQLException {
        DecisionRecord before = record(1);
        DecisionRecord during = record(2);
        List<DecisionRecord> afterwards = new ArrayList<>();
        try (DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC())) {
            assertThat(log.append(before, PATIENT)).isEqualTo(Outcome.COMMITTED);

            TestDatabase.Outage outage = testDatabase.cutOff();
            try {
                assertThat(log.append(during, PATIENT)).isEqualTo(Outcome.FAILED);
                assertThat(log.lastFailure()).isPresent().get().asString().isNotBlank();
            } finally {
                outage.close();
            }

            // Connections that died with the outage may each fail one more append; then the
            // log must be back without a restart.
            Outcome outcome = Outcome.FAILED;
            for (int attempt = 0; attempt <= TestDatabases.POOL_SIZE && outcome != Outcome.COMMITTED; attempt++) {
                DecisionRecord r = record(10 + attempt);
                outcome = log.append(r, PATIENT);
                if (outcome == Outcome.COMMITTED) {
                    afterwards.add(r);
                }
            }
            assertThat(outcome).as("an append after the database is back").isEqualTo(Outcome.COMMITTED);
            assertThat(log.lastFailure()).isEmpty();
            DecisionRecord next = record(100);
            assertThat(log.append(next, PATIENT)).isEqualTo(Outcome.COMMITTED);
            afterwards.add(next);
        }

        assertThat(query.find(during.decisionId())).isEmpty();
        List<DecisionRecord> expected = new ArrayList<>(List.of(before));
        expected.addAll(afterwards);
        assertThat(query.list(thisHour())).containsAll(expected).doesNotContain(during);
    }

    @Test
    void appendsFailWhenThePoolIsClosed() {
        Database other = testDatabase.open("decision-log-closed-" + kind);
        try (DecisionLog log = new DecisionLog(other.dataSource(), java.time.Clock.systemUTC())) {
            assertThat(log.append(record(1), PATIENT)).isEqualTo(Outcome.COMMITTED);
            other.close();

            assertThat(log.append(record(2), PATIENT)).isEqualTo(Outcome.FAILED);
            assertThat(log.lastFailure()).isPresent();
        }
    }

    @Test
    void appendsRacingCloseEachEndCommittedOrFailedAndLaterOnesFail() throws Exception {
        int threads = 8;
        List<DecisionRecord> records = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Outcome>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<DecisionRecord> mine = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    mine.add(record(t * 100 + i));
                }
                records.addAll(mine);
                // A short timeout: an append stranded by close() would otherwise hold the test up.
                futures.add(pool.submit(() -> mine.stream()
                        .map(r -> log.append(r, Duration.ofSeconds(5)))
                        .toList()));
            }
            log.close();
            for (Future<List<Outcome>> f : futures) {
                outcomes.addAll(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(outcomes).doesNotContain(Outcome.TIMED_OUT);
        List<String> committed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (outcomes.get(i) == Outcome.COMMITTED) {
                committed.add(records.get(i).decisionId());
            }
        }
        assertThat(query.list(thisHour()))
                .extracting(DecisionRecord::decisionId)
                .containsAll(committed);
        assertThat(log.append(record(999), PATIENT)).isEqualTo(Outcome.FAILED);
    }

    @Test
    void whileTheStoreIsDownEveryFailedAnswerIsSpooledAndWrittenLateInOrderOnceItIsBack(@TempDir Path dataDir)
            throws Exception {
        List<DecisionRecord> during = List.of(record(1), record(2), record(3));
        try (DecisionLog log = new DecisionLog(
                database.dataSource(),
                clock,
                DecisionLog.DEFAULT_REFUSALS_PER_ADDRESS_PER_MINUTE,
                Optional.of(Spool.open(dataDir)))) {
            TestDatabase.Outage outage = testDatabase.cutOff();
            try {
                for (DecisionRecord r : during) {
                    assertThat(log.append(r, PATIENT)).isEqualTo(Outcome.FAILED);
                }
                assertThat(log.spooled()).isEqualTo(3);
            } finally {
                outage.close();
            }
            List<DecisionRecord> late = awaitRecords(3);
            assertThat(late)
                    .extracting(DecisionRecord::decisionId)
                    .containsExactlyElementsOf(
                            during.stream().map(DecisionRecord::decisionId).toList());
            for (int i = 0; i < late.size(); i++) {
                DecisionRecord was = during.get(i);
                DecisionRecord written = late.get(i);
                assertThat(written).isEqualTo(was.asSpooled());
                assertThat(written.httpStatus()).isEqualTo(503);
                assertThat(written.reason()).isEqualTo("log-unavailable");
                assertThat(written.detail())
                        .hasValueSatisfying(d -> assertThat(d)
                                .contains("spooled and recorded late; was "
                                        + was.effect().label() + "/" + was.reason()));
            }
            assertThat(log.unspoolable()).isZero();
        }
        // Written once: a second start finds nothing left to write.
        try (Spool reopened = Spool.open(dataDir)) {
            assertThat(reopened.isEmpty()).isTrue();
        }
    }

    @Test
    void aFloodOfRefusalsFromOneAddressIsRecordedUpToTheLimitThenCountedIntoOneRowPerMinute() throws Exception {
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock, 5, Optional.empty())) {
            List<Outcome> flood = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                flood.add(log.append(refusal(i, "198.51.100.7", "unauthenticated", 403), PATIENT));
            }
            flood.add(log.append(refusal(20, "198.51.100.7", "method-not-allowed", 405), PATIENT));
            List<Outcome> other = List.of(
                    log.append(refusal(30, "198.51.100.8", "unauthenticated", 403), PATIENT),
                    log.append(refusal(31, "198.51.100.8", "unauthenticated", 403), PATIENT));
            DecisionRecord deny = Records.withEffect(refusal(40, "198.51.100.7", "grant", 200), Effect.DENY);
            Outcome denied = log.append(deny, PATIENT);

            assertThat(flood.subList(0, 5)).containsOnly(Outcome.COMMITTED);
            assertThat(flood.subList(5, 21)).containsOnly(Outcome.COUNTED);
            assertThat(other).containsOnly(Outcome.COMMITTED);
            assertThat(denied).as("a policy's deny is never summarized").isEqualTo(Outcome.COMMITTED);

            clock.advance(Duration.ofMinutes(1));
            List<DecisionRecord> rows = awaitRecords(5 + 2 + 1 + 1);
            DecisionRecord summary = rows.stream()
                    .filter(r -> r.reason().equals("refusals-summarized"))
                    .findFirst()
                    .orElseThrow();
            assertThat(summary.effect()).isEqualTo(Effect.REJECTED);
            assertThat(summary.callerIp()).isEqualTo("198.51.100.7");
            assertThat(summary.decidedAt()).isEqualTo(hour);
            assertThat(summary.detail())
                    .hasValueSatisfying(d -> assertThat(d)
                            .contains("16 refusals from 198.51.100.7", "beyond the 5 recorded one by one")
                            .contains("method-not-allowed 1, unauthenticated 15")
                            .contains("statuses 403 15, 405 1"));
            assertThat(summary.httpStatus()).isEqualTo(403);
        }
    }

    @Test
    void explanationsAreStoredDeflatedAndRowsWrittenBeforeThatStillReadTheirText() throws Exception {
        String json = "{\"format\":1,\"policy\":\"3f2a9c81d0e4\",\"rules\":["
                + "{\"name\":\"rule\",\"effect\":\"deny\",\"result\":\"not-matched\",\"read\":{}},".repeat(40)
                + "{}],\"note\":\"Müller 😀\"}";
        DecisionRecord now = Records.withExplanation(record(1), json);
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock)) {
            assertThat(log.append(now, PATIENT)).isEqualTo(Outcome.COMMITTED);
        }
        assertThat(query.find(now.decisionId())).contains(now);
        try (Connection c = database.connection();
                java.sql.PreparedStatement ps =
                        c.prepareStatement("SELECT explanation, explanation_z FROM decisions WHERE decision_id = ?")) {
            ps.setString(1, now.decisionId());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("no text copy").isNull();
                byte[] stored = rs.getBytes(2);
                assertThat(stored.length).isLessThan(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / 3);
                // Plain zlib: what an outside tool would run on the column.
                java.util.zip.Inflater inflater = new java.util.zip.Inflater();
                inflater.setInput(stored);
                byte[] out = new byte[json.length() * 4];
                int n = inflater.inflate(out);
                inflater.end();
                assertThat(new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(json);
            }
        }

        // A row as cdp-access wrote it before explanations were deflated.
        DecisionRecord before = Records.withExplanation(record(2), json);
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock)) {
            assertThat(log.append(before, PATIENT)).isEqualTo(Outcome.COMMITTED);
        }
        try (Connection c = database.connection();
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "UPDATE decisions SET explanation = ?, explanation_z = NULL WHERE decision_id = ?")) {
            ps.setString(1, json);
            ps.setString(2, before.decisionId());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(query.find(before.decisionId())).contains(before);
    }

    // ---- helpers ----

    /** This hour's records in decision-time order, once there are {@code count}; retries while the store recovers. */
    private List<DecisionRecord> awaitRecords(int count) throws InterruptedException {
        List<DecisionRecord> found = List.of();
        for (int i = 0; i < 300 && found.size() < count; i++) {
            try {
                found = query.list(thisHour());
            } catch (SQLException recovering) {
                // connections that died with the outage fail once each
            }
            if (found.size() < count) {
                Thread.sleep(100);
            }
        }
        assertThat(found).as("records written").hasSize(count);
        return found;
    }

    private DecisionRecord refusal(int n, String callerIp, String reason, int status) {
        return new DecisionRecord(
                Ids.next(clock),
                hour.plusMillis(n),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                callerIp,
                callerIp,
                Effect.REJECTED,
                reason,
                Optional.empty(),
                status,
                n,
                Optional.empty());
    }

    private static void awaitWriterWaitingForConnection(HikariDataSource pool) throws InterruptedException {
        for (int i = 0; i < 500 && pool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection())
                .as("writer waiting for a connection")
                .isEqualTo(1);
    }

    private DecisionFilter thisHour() {
        return new DecisionFilter(
                Optional.of(hour),
                Optional.of(hour.plus(Duration.ofHours(1))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * A distinct record; every fourth has all optional fields empty, the others have every field
     * set, with text a database could mangle (non-ASCII, outside the BMP, quotes, line breaks).
     */
    private DecisionRecord record(int n) {
        Instant at = hour.plusMillis(n);
        Effect effect = Effect.values()[n % 4];
        if (n % 4 == 0) {
            return new DecisionRecord(
                    Ids.next(clock),
                    at,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "192.0.2." + n % 256,
                    "192.0.2.1",
                    effect,
                    "empty-request",
                    Optional.empty(),
                    200,
                    n,
                    Optional.empty());
        }
        return new DecisionRecord(
                Ids.next(clock),
                at,
                Optional.of("prod-" + n % 3),
                Optional.of(" Müller-" + n + " 😀"),
                Optional.of("müller-" + n + " 😀"),
                Optional.of(Long.toString(1000 + n)),
                Optional.of("https://redcap.example.edu/"),
                "2001:db8::" + Integer.toHexString(n),
                "10.0.0.1",
                effect,
                effect.label() + "-reason",
                Optional.of("rule \"r" + n + "\",\nline 2"),
                200 + n % 4,
                7L * n,
                Optional.of(Ids.next(clock)));
    }
}
