package io.cdpaccess.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
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
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every answer, written <em>before</em> the answer is sent.
 *
 * <p>Group commit: request threads hand their record to one writer thread and wait; the writer
 * takes everything queued (up to {@value #MAX_BATCH}) and commits it in one transaction, so under
 * load many decisions share one commit instead of each paying for its own. Each wait is bounded by
 * the request's deadline. A record whose requester gave up before the writer took it is written
 * as {@code deadline-exceeded}, which is what that caller was answered. A record the writer had
 * already taken when its requester gave up (the database hung mid-commit) is corrected by a
 * follow-up write once the database answers again, so the log always says what the caller got.
 *
 * <p>The writer counts its commits, their time, their failures and the rows written, and the
 * queue's depth can be read at any time, for the metrics.
 */
public final class DecisionLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);

    static final int MAX_BATCH = 512;
    private static final int QUEUE_CAPACITY = 16_384;
    private static final int PENDING = 0;
    private static final int CLAIMED = 1;
    private static final int ABANDONED = 2;

    private static final String INSERT = "INSERT INTO decisions (decision_id, decided_at_ms, instance_name, username, "
            + "normalized_user, project_id, redcap_url, caller_ip, peer_ip, effect, reason, detail, http_status, "
            + "latency_us, grant_id, policy_version, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** How an append ended. */
    public enum Outcome {
        /** Committed: the answer may be sent. */
        COMMITTED,
        /** The database refused or failed; nothing was recorded. */
        FAILED,
        /** The deadline passed first. */
        TIMED_OUT
    }

    private static final class Entry {
        final DecisionRecord record;
        final AtomicInteger state = new AtomicInteger(PENDING);
        final CompletableFuture<Void> committed = new CompletableFuture<>();

        Entry(DecisionRecord record) {
            this.record = record;
        }
    }

    private final DataSource dataSource;
    /** A correction of a record already handed to the writer: it was answered 503 after all. */
    private record Correction(DecisionRecord corrected) {
    }

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private final Clock clock;
    private final AtomicReference<Optional<Failure>> lastFailure = new AtomicReference<>(Optional.empty());
    private volatile boolean running = true;
    private final LongAdder commits = new LongAdder();
    private final LongAdder commitNanos = new LongAdder();
    private final LongAdder failedCommits = new LongAdder();
    private final LongAdder rowsWritten = new LongAdder();

    /** The last failed commit: why and when. */
    public record Failure(String message, Instant at) {
    }

    public DecisionLog(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.writer = new Thread(this::writeLoop, "cdp-access-decision-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Records a decision durably, waiting at most {@code timeout}.
     */
    public Outcome append(DecisionRecord record, Duration timeout) {
        Entry entry = new Entry(record);
        if (!running || !queue.offer(entry) || !running && queue.remove(entry)) {
            // Closed (also: closed just as this entry was queued, after the writer's last look),
            // or the backlog is full: the caller gets 503 at once instead of at its deadline.
            log.warn("decision log backlog full or closed; decision {} not recorded", record.decisionId());
            return Outcome.FAILED;
        }
        try {
            entry.committed.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return Outcome.COMMITTED;
        } catch (TimeoutException e) {
            if (!entry.state.compareAndSet(PENDING, ABANDONED) && !queue.offer(new Correction(record.asDeadlineExceeded()))) {
                log.warn("decision {} may stay recorded as {}/{} although it was answered 503 (log backlog full)",
                        record.decisionId(), record.effect(), record.reason());
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

    /** The last commit failure, empty once a later commit succeeded. For readiness checks. */
    public Optional<Failure> lastFailure() {
        return lastFailure.get();
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
                log.error("decision log writer failed unexpectedly; continuing", e);
                entries(batch).forEach(en -> en.committed.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Object> batch) {
        List<DecisionRecord> rows = new ArrayList<>(batch.size());
        List<DecisionRecord> corrections = new ArrayList<>();
        for (Object item : batch) {
            if (item instanceof Entry e) {
                rows.add(e.state.compareAndSet(PENDING, CLAIMED) ? e.record : e.record.asDeadlineExceeded());
            } else {
                corrections.add(((Correction) item).corrected());
            }
        }
        long start = System.nanoTime();
        try {
            write(rows, corrections);
            countCommit(start);
            rowsWritten.add(rows.size());
            lastFailure.set(Optional.empty());
            entries(batch).forEach(e -> e.committed.complete(null));
        } catch (SQLException e) {
            countCommit(start); // a commit that hangs and then fails is the slowest kind
            failedCommits.increment();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            if (lastFailure.get().isEmpty()) {
                log.error("cannot record decisions, answering 503 until the store is back: {}", message);
            }
            lastFailure.set(Optional.of(new Failure(message, clock.instant())));
            entries(batch).forEach(en -> en.committed.completeExceptionally(e));
            if (!corrections.isEmpty()) {
                // The corrected records were themselves lost with the failed commits before; keep
                // trying, so that what the callers got reaches the log once the store is back.
                corrections.forEach(c -> queue.offer(new Correction(c)));
                sleepQuietly();
            }
        }
    }

    private void countCommit(long startNanos) {
        commitNanos.add(System.nanoTime() - startNanos);
        commits.increment();
    }

    /** Records and corrections waiting for the writer. */
    public int queueDepth() {
        return queue.size();
    }

    /** Transactions the writer attempted since start, failed ones included. */
    public long commits() {
        return commits.sum();
    }

    /** Time those transactions took, in nanoseconds. */
    public long commitNanos() {
        return commitNanos.sum();
    }

    /** Transactions that failed, each answering 503 to every request in it. */
    public long failedCommits() {
        return failedCommits.sum();
    }

    /** Decision rows committed since start. */
    public long rowsWritten() {
        return rowsWritten.sum();
    }

    private static List<Entry> entries(List<Object> batch) {
        List<Entry> out = new ArrayList<>(batch.size());
        for (Object item : batch) {
            if (item instanceof Entry e) {
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

    private void write(List<DecisionRecord> rows, List<DecisionRecord> corrections) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!rows.isEmpty()) {
                    insert(c, rows);
                }
                for (DecisionRecord corrected : corrections) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE decisions SET effect = ?, reason = ?, "
                            + "detail = ?, http_status = ?, grant_id = NULL WHERE decision_id = ?")) {
                        ps.setString(1, corrected.effect());
                        ps.setString(2, corrected.reason());
                        setText(ps, 3, corrected.detail(), 1000);
                        ps.setInt(4, corrected.httpStatus());
                        ps.setString(5, corrected.decisionId());
                        if (ps.executeUpdate() == 0) {
                            insert(c, List.of(corrected)); // the original commit never happened
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void insert(Connection c, List<DecisionRecord> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (DecisionRecord r : rows) {
                ps.setString(1, r.decisionId());
                ps.setLong(2, r.decidedAt().toEpochMilli());
                setText(ps, 3, r.instance(), 32);
                setText(ps, 4, r.user(), 300);
                setText(ps, 5, r.normalizedUser(), 300);
                setText(ps, 6, r.projectId(), 300);
                setText(ps, 7, r.redcapUrl(), 300);
                ps.setString(8, r.callerIp());
                ps.setString(9, r.peerIp());
                ps.setString(10, r.effect());
                ps.setString(11, r.reason());
                setText(ps, 12, r.detail(), 1000);
                ps.setInt(13, r.httpStatus());
                ps.setLong(14, r.latencyMicros());
                setText(ps, 15, r.grantId(), 40);
                setText(ps, 16, r.policyVersion(), 16);
                setText(ps, 17, r.explanation(), Integer.MAX_VALUE);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void setText(PreparedStatement ps, int index, Optional<String> value, int max) throws SQLException {
        if (value.isEmpty()) {
            ps.setNull(index, Types.VARCHAR);
            return;
        }
        // PostgreSQL cannot store U+0000 in text (H2 and MariaDB can), and a malformed request is
        // recorded with what the caller sent, %00 included: one such row would fail its whole
        // batch and answer 503 to every request in it. U+FFFD marks where the NUL was.
        String v = value.get().replace('\u0000', '\uFFFD');
        if (v.length() > max) {
            int end = Character.isHighSurrogate(v.charAt(max - 1)) ? max - 1 : max;
            v = v.substring(0, end);
        }
        ps.setString(index, v);
    }

    /** Stops accepting records and writes those already queued before returning. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
