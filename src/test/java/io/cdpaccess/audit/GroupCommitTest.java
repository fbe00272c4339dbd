package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.testing.CapturedLog;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The group-commit protocol alone, with a writer that blocks or fails on cue: whatever happens to
 * the writer, what ends up written says what each requester was told.
 */
class GroupCommitTest {

    private static final Duration PATIENT = Duration.ofSeconds(20);

    /** Records what it was asked to write; can be held (blocks until released) or made to fail. */
    private static final class CueWriter implements GroupCommit.Writer<String> {
        final List<String> written = new CopyOnWriteArrayList<>();
        final List<String> corrected = new CopyOnWriteArrayList<>();
        final List<List<String>> rehearsed = new CopyOnWriteArrayList<>();
        final Semaphore gate = new Semaphore(0);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicBoolean held = new AtomicBoolean();
        final AtomicBoolean buggy = new AtomicBoolean();

        @Override
        public void write(List<String> records, List<String> corrections) throws SQLException {
            entered.countDown();
            if (held.get()) {
                gate.acquireUninterruptibly();
            }
            if (failing.get()) {
                throw new SQLException("database is down\nsecond line");
            }
            if (buggy.get()) {
                throw new IllegalStateException("a bug in the writer");
            }
            written.addAll(records);
            corrected.addAll(corrections);
        }

        @Override
        public void rehearse(List<String> records) throws SQLException {
            if (failing.get()) {
                throw new SQLException("database is down");
            }
            rehearsed.add(List.copyOf(records));
        }

        void hold() {
            held.set(true);
            gate.drainPermits();
        }

        void release() {
            held.set(false);
            gate.release(1_000);
        }
    }

    private final CueWriter writer = new CueWriter();
    private final CapturedLog logged = CapturedLog.named("test-group-commit");
    private final org.slf4j.Logger log = LoggerFactory.getLogger("test-group-commit");
    private final GroupCommit<String> commits = new GroupCommit<>(
            writer, r -> r + " (abandoned)", r -> "record " + r, log, Clock.systemUTC(), "test-group-commit");

    /** Threads of requesters waiting for their commit, as the server's request threads do. */
    private final ExecutorService requesters = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        writer.release();
        commits.close();
        requesters.shutdownNow();
        logged.close();
    }

    @Test
    void aCommittedAppendIsWrittenAsHandedOver() {
        assertThat(commits.append("a", PATIENT)).isEqualTo(Outcome.COMMITTED);
        assertThat(commits.append("b", PATIENT)).isEqualTo(Outcome.COMMITTED);

        assertThat(writer.written).containsExactly("a", "b");
        assertThat(commits.recordsWritten()).isEqualTo(2);
        assertThat(commits.commits()).isEqualTo(2);
        assertThat(commits.lastFailure()).isEmpty();
    }

    @Test
    void aRehearsalIsRolledBackApartFromRealRecordsAndCountedNowhere() throws Exception {
        writer.hold();
        CompletableFuture<Outcome> first =
                CompletableFuture.supplyAsync(() -> commits.append("first", PATIENT), requesters);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // Queued behind "first" together with a real record: the writer takes both in one batch.
        CompletableFuture<Outcome> rehearsal =
                CompletableFuture.supplyAsync(() -> commits.rehearse("warm-up", PATIENT), requesters);
        CompletableFuture<Outcome> second =
                CompletableFuture.supplyAsync(() -> commits.append("second", PATIENT), requesters);
        while (commits.queueDepth() < 2) {
            Thread.onSpinWait();
        }
        writer.release();

        assertThat(rehearsal.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
        assertThat(writer.rehearsed).containsExactly(List.of("warm-up"));
        assertThat(writer.written).containsExactly("first", "second");
        assertThat(commits.recordsWritten()).isEqualTo(2);
        assertThat(commits.commits()).isEqualTo(2);

        writer.failing.set(true);
        assertThat(commits.rehearse("again", PATIENT)).isEqualTo(Outcome.FAILED);
        assertThat(commits.failedCommits()).isZero();
        assertThat(commits.lastFailure()).isEmpty();
    }

    @Test
    void anAppendAbandonedBeforeTheWriterTookItIsWrittenInItsAbandonedForm() throws Exception {
        writer.hold();
        CompletableFuture<Outcome> first =
                CompletableFuture.supplyAsync(() -> commits.append("first", PATIENT), requesters);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue(); // the writer is stuck in "first"

        assertThat(commits.append("late", Duration.ofMillis(50))).isEqualTo(Outcome.TIMED_OUT);
        writer.release();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
        assertThat(commits.append("after", PATIENT)).isEqualTo(Outcome.COMMITTED);
        assertThat(writer.written).containsExactly("first", "late (abandoned)", "after");
        assertThat(writer.corrected).isEmpty();
    }

    @Test
    void anAppendAbandonedWhileTheWriterHeldItIsCorrectedAfterwards() throws Exception {
        writer.hold();
        CompletableFuture<Outcome> stuck =
                CompletableFuture.supplyAsync(() -> commits.append("stuck", Duration.ofSeconds(1)), requesters);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue(); // taken: the writer is in it

        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.TIMED_OUT);
        writer.release();

        assertThat(commits.append("next", PATIENT)).isEqualTo(Outcome.COMMITTED);
        awaitUntil(() -> writer.corrected.contains("stuck (abandoned)"));
        assertThat(writer.written).containsExactly("stuck", "next");
    }

    @Test
    void aFailingWriterFailsItsAppendsAndCorrectionsAreRetriedUntilItIsBack() throws Exception {
        writer.hold();
        CompletableFuture<Outcome> stuck =
                CompletableFuture.supplyAsync(() -> commits.append("stuck", Duration.ofSeconds(1)), requesters);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.TIMED_OUT);
        writer.failing.set(true);
        writer.release();

        assertThat(commits.append("during", PATIENT)).isEqualTo(Outcome.FAILED);
        assertThat(commits.lastFailure())
                .hasValueSatisfying(f -> assertThat(f.message()).isEqualTo("database is down"));
        assertThat(commits.failedCommits()).isPositive();

        writer.failing.set(false);
        assertThat(commits.append("back", PATIENT)).isEqualTo(Outcome.COMMITTED);
        awaitUntil(() -> writer.corrected.contains("stuck (abandoned)"));
        assertThat(commits.lastFailure()).isEmpty();
        assertThat(writer.written).containsExactly("back");
    }

    @Test
    void afterCloseQueuedRecordsAreWrittenAndNewAppendsFailAtOnce() throws Exception {
        writer.hold();
        List<CompletableFuture<Outcome>> queued = new ArrayList<>();
        queued.add(CompletableFuture.supplyAsync(() -> commits.append("r0", PATIENT), requesters));
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue(); // held in a batch of r0 alone
        for (int i = 1; i < 5; i++) {
            String r = "r" + i;
            queued.add(CompletableFuture.supplyAsync(() -> commits.append(r, PATIENT), requesters));
        }
        awaitUntil(() -> commits.queueDepth() == 4);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(commits::close, requesters);
        writer.release();
        closing.get(15, TimeUnit.SECONDS);

        for (CompletableFuture<Outcome> f : queued) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
        }
        assertThat(writer.written).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4");
        long start = System.nanoTime();
        assertThat(commits.append("too late", PATIENT)).isEqualTo(Outcome.FAILED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(logged.events())
                .anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .isEqualTo("backlog full or closed; record too late not recorded"));
    }

    @Test
    void aBugInTheWriterFailsItsBatchButIsNotTakenForAStoreOutage() {
        writer.buggy.set(true);
        assertThat(commits.append("a", PATIENT)).isEqualTo(Outcome.FAILED);
        assertThat(commits.lastFailure()).isEmpty(); // readiness does not report the log down for it
        assertThat(logged.events()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("a bug in the writer");
        });

        writer.buggy.set(false);
        assertThat(commits.append("b", PATIENT)).isEqualTo(Outcome.COMMITTED);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition never held").isLessThan(until);
            Thread.sleep(10);
        }
    }
}
