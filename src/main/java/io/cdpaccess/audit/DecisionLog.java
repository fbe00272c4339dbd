package io.cdpaccess.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
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
 * as {@code deadline-exceeded}, which is what that caller was answered; a record the writer had
 * already taken when its requester gave up is written as decided, and a warning says so.
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
            + "latency_us, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread writer;
    private final AtomicReference<Optional<String>> lastFailure = new AtomicReference<>(Optional.empty());
    private volatile boolean running = true;

    public DecisionLog(DataSource dataSource) {
        this.dataSource = dataSource;
        this.writer = new Thread(this::writeLoop, "cdp-access-decision-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Records a decision durably, waiting at most {@code timeout}.
     */
    public Outcome append(DecisionRecord record, Duration timeout) {
        Entry entry = new Entry(record);
        if (!running || !queue.offer(entry)) {
            log.warn("decision log backlog full or closed; decision {} not recorded", record.decisionId());
            return Outcome.FAILED;
        }
        try {
            entry.committed.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return Outcome.COMMITTED;
        } catch (TimeoutException e) {
            if (!entry.state.compareAndSet(PENDING, ABANDONED)) {
                log.warn("decision {} was being recorded as {}/{} when its deadline passed; it was answered 503",
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
    public Optional<String> lastFailure() {
        return lastFailure.get();
    }

    private void writeLoop() {
        List<Entry> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
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
                batch.forEach(en -> en.committed.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Entry> batch) {
        List<DecisionRecord> rows = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            rows.add(e.state.compareAndSet(PENDING, CLAIMED) ? e.record : e.record.asDeadlineExceeded());
        }
        try {
            insert(rows);
            lastFailure.set(Optional.empty());
            batch.forEach(e -> e.committed.complete(null));
        } catch (SQLException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            if (lastFailure.get().isEmpty()) {
                log.error("cannot record decisions, answering 503 until the store is back: {}", message);
            }
            lastFailure.set(Optional.of(message));
            batch.forEach(en -> en.committed.completeExceptionally(e));
        }
    }

    private void insert(List<DecisionRecord> rows) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
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
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
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
