package io.cdpaccess.audit;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;

/**
 * Group commit: many request threads each hand one record to a single writer thread and wait,
 * each for at most its own timeout; the writer takes everything queued (up to
 * {@value #MAX_BATCH}) and has the {@link Writer} store it in one transaction, so under load many
 * records share one commit instead of each paying for its own.
 *
 * <p>The protocol for a requester that gives up (its deadline passed): each queued entry is
 * {@code PENDING} until the writer {@code CLAIMED} it or its requester {@code ABANDONED} it,
 * whichever comes first (one compare-and-set decides). An entry abandoned before it was taken is
 * written in its abandoned form (for the decision log: {@code deadline-exceeded}, which is what
 * that caller was answered). An entry the writer had already claimed when its requester gave up
 * (the database hung mid-commit) is followed by a correction, written once the database answers
 * again and retried until it is, so the record always says what the caller got. Corrections
 * replace the original when it was committed and stand in for it when it was not.
 *
 * <p>Appends after {@link #close()} (or when the queue is full) fail at once rather than at the
 * requester's deadline. The writer counts its commits, their time, their failures and the
 * records written; the queue's depth can be read at any time.
 *
 * @param <R> the record type
 */
public final class GroupCommit<R> implements CommitCounters, AutoCloseable {

    static final int MAX_BATCH = 512;
    /** How many records may wait; when full, appends fail at once. */
    public static final int QUEUE_CAPACITY = 16_384;

    private static final int PENDING = 0;
    private static final int CLAIMED = 1;
    private static final int ABANDONED = 2;

    /** Stores one batch in one transaction, or throws and stores nothing. */
    public interface Writer<R> {
        /**
         * Writes the batch in one transaction.
         *
         * @param records records to add
         * @param corrections records to write over (or, when absent, instead of) earlier ones
         */
        void write(List<R> records, List<R> corrections) throws SQLException;

        /** Writes {@code records} as {@link #write} would, in a transaction that is rolled back. */
        void rehearse(List<R> records) throws SQLException;
    }

    /** How an append ended. */
    public enum Outcome {
        /** Committed: the answer may be sent. */
        COMMITTED,
        /** The writer failed (or the log is closed or full); nothing was recorded. */
        FAILED,
        /** The timeout passed first. */
        TIMED_OUT,
        /**
         * Not written on its own but counted into a summary row (a refusal beyond its address's
         * limit for the minute, see {@link DecisionLog}); the answer may be sent.
         */
        COUNTED
    }

    /** The last failed commit: why and when. */
    public record Failure(String message, Instant at) {}

    private static final class Entry<R> {
        final R record;
        final boolean rehearsal;
        final AtomicInteger state = new AtomicInteger(PENDING);
        final CompletableFuture<Void> committed = new CompletableFuture<>();

        Entry(R record, boolean rehearsal) {
            this.record = record;
            this.rehearsal = rehearsal;
        }
    }

    /** A correction of a record already handed to the writer. */
    private record Correction<R>(R corrected) {}

    private final Writer<R> writer;
    private final UnaryOperator<R> abandoned;
    private final Function<R, String> describe;
    private final Logger log;
    private final Clock clock;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private final AtomicReference<Optional<Failure>> lastFailure = new AtomicReference<>(Optional.empty());
    private final LongAdder commits = new LongAdder();
    private final LongAdder commitNanos = new LongAdder();
    private final LongAdder failedCommits = new LongAdder();
    private final LongAdder recordsWritten = new LongAdder();
    private volatile boolean running = true;

    /**
     * Starts the writer thread.
     *
     * @param abandoned what a record becomes when its requester gave up waiting for it
     * @param describe a record as log lines name it, e.g. {@code decision 01J... (allow/grant)}
     * @param log where the writer's problems are logged (the owner's logger, as operators know it)
     * @param threadName the writer thread's name
     */
    public GroupCommit(
            Writer<R> writer,
            UnaryOperator<R> abandoned,
            Function<R, String> describe,
            Logger log,
            Clock clock,
            String threadName) {
        this.writer = writer;
        this.abandoned = abandoned;
        this.describe = describe;
        this.log = log;
        this.clock = clock;
        this.thread = new Thread(this::writeLoop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Stores {@code record} durably, waiting at most {@code timeout}. */
    public Outcome append(R record, Duration timeout) {
        Entry<R> entry = new Entry<>(record, false);
        if (!running || !queue.offer(entry) || (!running && queue.remove(entry))) {
            // Closed (also: closed just as this entry was queued, after the writer's last look),
            // or the backlog is full: the caller gets its failure at once instead of at its deadline.
            log.warn("backlog full or closed; {} not recorded", describe.apply(record));
            return Outcome.FAILED;
        }
        try {
            entry.committed.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return Outcome.COMMITTED;
        } catch (TimeoutException e) {
            if (!entry.state.compareAndSet(PENDING, ABANDONED)
                    && !queue.offer(new Correction<>(abandoned.apply(record)))) {
                log.warn(
                        "{} may stay recorded as it was although its requester gave up and was told otherwise "
                                + "(backlog full)",
                        describe.apply(record));
            }
            return Outcome.TIMED_OUT;
        } catch (ExecutionException e) {
            return Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entry.state.compareAndSet(PENDING, ABANDONED);
            return Outcome.TIMED_OUT;
        }
    }

    /**
     * Hands {@code record} to the writer thread as {@link #append} does, which writes it in a
     * transaction of its own that it rolls back ({@link Writer#rehearse}), never in a batch with
     * records that are kept, and counts it nowhere: the warm-up's way through the writer, so that
     * the first decision does not wait for its first use.
     *
     * @return {@link Outcome#COMMITTED} once rolled back, else how it failed
     */
    public Outcome rehearse(R record, Duration timeout) {
        Entry<R> entry = new Entry<>(record, true);
        if (!running || !queue.offer(entry)) {
            return Outcome.FAILED;
        }
        try {
            entry.committed.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return Outcome.COMMITTED;
        } catch (TimeoutException e) {
            return Outcome.TIMED_OUT;
        } catch (ExecutionException e) {
            return Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.TIMED_OUT;
        }
    }

    /** The last commit failure, empty once a later commit succeeded. */
    public Optional<Failure> lastFailure() {
        return lastFailure.get();
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    @Override
    public long commits() {
        return commits.sum();
    }

    @Override
    public long commitNanos() {
        return commitNanos.sum();
    }

    @Override
    public long failedCommits() {
        return failedCommits.sum();
    }

    @Override
    public long recordsWritten() {
        return recordsWritten.sum();
    }

    private void writeLoop() {
        List<Object> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Object first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                log.error("{} failed unexpectedly; continuing", thread.getName(), e);
                entries(batch).forEach(en -> en.committed.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Object> batch) {
        List<R> records = new ArrayList<>(batch.size());
        List<R> corrections = new ArrayList<>();
        List<Entry<R>> rehearsals = new ArrayList<>();
        for (Object item : batch) {
            if (item instanceof Entry<?> e) {
                @SuppressWarnings("unchecked") // only Entry<R> is ever queued
                Entry<R> entry = (Entry<R>) e;
                if (entry.rehearsal) {
                    rehearsals.add(entry);
                } else {
                    records.add(
                            entry.state.compareAndSet(PENDING, CLAIMED) ? entry.record : abandoned.apply(entry.record));
                }
            } else {
                @SuppressWarnings("unchecked") // only Correction<R> is ever queued
                Correction<R> correction = (Correction<R>) item;
                corrections.add(correction.corrected());
            }
        }
        if (!rehearsals.isEmpty()) {
            rehearse(rehearsals);
            batch.removeAll(rehearsals);
            if (batch.isEmpty()) {
                return;
            }
        }
        long start = System.nanoTime();
        try {
            writer.write(records, corrections);
            countCommit(start);
            recordsWritten.add(records.size());
            lastFailure.set(Optional.empty());
            entries(batch).forEach(e -> e.committed.complete(null));
        } catch (SQLException e) {
            // The store failed (a RuntimeException is a bug instead, for writeLoop to log with its stack).
            countCommit(start); // a commit that hangs and then fails is the slowest kind
            failedCommits.increment();
            String message = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            if (lastFailure.get().isEmpty()) {
                log.error("cannot record, answering 503 until the store is back: {}", message);
            }
            lastFailure.set(Optional.of(new Failure(message, clock.instant())));
            entries(batch).forEach(en -> en.committed.completeExceptionally(e));
            if (!corrections.isEmpty()) {
                // The corrected records were lost with the failed commits before; keep trying,
                // so that what the callers got is written once the store is back.
                corrections.forEach(c -> queue.offer(new Correction<>(c)));
                sleepQuietly();
            }
        }
    }

    private void rehearse(List<Entry<R>> rehearsals) {
        try {
            writer.rehearse(rehearsals.stream().map(e -> e.record).toList());
            rehearsals.forEach(e -> e.committed.complete(null));
        } catch (SQLException e) {
            rehearsals.forEach(en -> en.committed.completeExceptionally(e));
        }
    }

    private void countCommit(long startNanos) {
        commitNanos.add(System.nanoTime() - startNanos);
        commits.increment();
    }

    private static List<Entry<?>> entries(List<Object> batch) {
        List<Entry<?>> out = new ArrayList<>(batch.size());
        for (Object item : batch) {
            if (item instanceof Entry<?> e) {
                out.add(e);
            }
        }
        return out;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting records and writes those already queued before returning. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
