package io.cdpaccess.audit;

import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.db.ChainedWriter;
import io.cdpaccess.time.Poller;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every answer, written <em>before</em> the answer is sent: the
 * {@code decisions} table ({@link DecisionTable}) behind a {@link GroupCommit}, so that answers
 * given at the same time share one commit and each wait is bounded by its request's deadline.
 * A record whose requester gave up is kept as {@code deadline-exceeded}, what that caller got.
 *
 * <p>Two things keep the log complete and small when things go wrong. A flood of refused
 * requests from one address is counted into one row per minute past a limit
 * ({@link RefusalSummaries}): such a refusal is {@link Outcome#COUNTED}, not written on its own.
 * A record the store failed to take becomes the 503 its caller is given, kept in the
 * {@link Spool} and written to the store, in order, as soon as the store is back.
 */
public final class DecisionLog implements AutoCloseable {

    /** Refusals per caller address and minute recorded one by one, unless configured otherwise. */
    public static final int DEFAULT_REFUSALS_PER_ADDRESS_PER_MINUTE = 60;

    static final Duration LATE_WRITES_EVERY = Duration.ofSeconds(1);
    private static final Duration SUMMARY_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);

    private final DecisionTable table;
    private final GroupCommit<DecisionTable.Row> commits;
    private final RefusalSummaries refusals;
    private final Optional<Spool> spool;
    private final Poller lateWrites;
    private final LongAdder spooled = new LongAdder();
    private final LongAdder unspoolable = new LongAdder();

    /** A log with the default refusal limit and no spool (tests, tools), its chain this process's. */
    public DecisionLog(DataSource dataSource, Clock clock) {
        this(dataSource, clock, DEFAULT_REFUSALS_PER_ADDRESS_PER_MINUTE, Optional.empty());
    }

    /** A log whose chain this process starts as the role {@code server}. */
    public DecisionLog(DataSource dataSource, Clock clock, int refusalsPerAddressPerMinute, Optional<Spool> spool) {
        this(dataSource, clock, refusalsPerAddressPerMinute, spool, ChainedWriter.thisProcess("server"));
    }

    /**
     * @param refusalsPerAddressPerMinute refusals from one caller address in one minute recorded
     *     one by one before the rest of that minute's are summarized
     * @param spool where records go while the store cannot take them
     * @param writer who writes, as the start of this run's chain names it
     */
    public DecisionLog(
            DataSource dataSource, Clock clock, int refusalsPerAddressPerMinute, Optional<Spool> spool, String writer) {
        this.table = new DecisionTable(dataSource, writer, clock);
        this.commits = new GroupCommit<>(
                table,
                row -> row.with(row.record().asDeadlineExceeded()),
                row -> "decision " + row.record().decisionId() + " ("
                        + row.record().effect().label() + "/" + row.record().reason() + ")",
                LOG,
                clock,
                "cdp-access-decision-log");
        this.refusals = new RefusalSummaries(refusalsPerAddressPerMinute, clock);
        this.spool = spool;
        this.lateWrites = Poller.start("cdp-access-decision-log-late", LATE_WRITES_EVERY, this::writeLate);
    }

    /**
     * Records a decision durably, waiting at most {@code timeout}. When the store fails, the
     * record is spooled as the 503 it becomes ({@link DecisionRecord#asSpooled()}); the outcome
     * is still {@link Outcome#FAILED}, and the caller must be answered 503.
     */
    public Outcome append(DecisionRecord record, Duration timeout) {
        return append(record, timeout, null);
    }

    /**
     * As {@link #append(DecisionRecord, Duration)}, with the row's {@code latency_us} taken from
     * {@code latencyMicrosNow} as the writer writes it: up to its commit, not to its hand-over.
     */
    public Outcome append(DecisionRecord record, Duration timeout, LongSupplier latencyMicrosNow) {
        if (!refusals.admit(record)) {
            return Outcome.COUNTED;
        }
        DecisionTable.Row row = latencyMicrosNow == null
                ? DecisionTable.Row.of(record)
                : DecisionTable.Row.timed(record, latencyMicrosNow);
        Outcome outcome = commits.append(row, timeout);
        if (outcome == Outcome.FAILED) {
            spool(record.asSpooled());
        }
        return outcome;
    }

    private void spool(DecisionRecord record) {
        if (spool.isPresent() && spool.get().add(record)) {
            spooled.increment();
        } else {
            unspoolable.increment();
            LOG.warn(
                    "decision {} ({}/{}) is not recorded: the store failed and the spool is {}",
                    record.decisionId(),
                    record.effect().label(),
                    record.reason(),
                    spool.isPresent() ? "full" : "not configured");
        }
    }

    /** Summaries of minutes that are over, then whatever the spool holds, each when the store takes it. */
    private void writeLate() {
        for (DecisionRecord summary : refusals.closed()) {
            if (commits.append(DecisionTable.Row.of(summary), SUMMARY_TIMEOUT) == Outcome.FAILED) {
                spool(summary);
            }
        }
        spool.ifPresent(this::replay);
    }

    private void replay(Spool s) {
        if (s.isEmpty()) {
            return;
        }
        Spool.Pending pending = s.pending();
        try {
            // As corrections: a record whose failed commit did reach the store is overwritten
            // with what its caller was answered, not added twice.
            table.write(
                    java.util.List.of(),
                    pending.records().stream().map(DecisionTable.Row::of).toList());
        } catch (SQLException e) {
            return; // still down; the next round tries again
        }
        s.removeThrough(pending.end());
        LOG.info(
                "wrote {} spooled decision record(s) to the store, late",
                pending.records().size());
    }

    /**
     * Hands {@code record} to the writer as {@link #append} would, explanation deflated, but to be
     * written in a transaction that is rolled back: for warming the write path at start without
     * a row on the record, a count in the commit meters, or a place in a refusal summary.
     */
    public Outcome rehearse(DecisionRecord record, Duration timeout) {
        return commits.rehearse(DecisionTable.Row.of(record), timeout);
    }

    /** This run's chain of decisions, for its checkpoints. */
    public Checkpointer.Writer chain() {
        return new Checkpointer.Writer(DecisionTable.CHAINED.name(), table::chainHead);
    }

    /** The last commit failure, empty once a later commit succeeded. For readiness checks. */
    public Optional<GroupCommit.Failure> lastFailure() {
        return commits.lastFailure();
    }

    /** The writer's counters and queue, for the metrics. */
    public CommitCounters counters() {
        return commits;
    }

    /** Records spooled since start because the store could not take them. */
    public long spooled() {
        return spooled.sum();
    }

    /** Records lost since start: the store failed and the spool was full or absent. */
    public long unspoolable() {
        return unspoolable.sum();
    }

    /**
     * Stops accepting records, writes the refusal summaries so far, those already queued and
     * what the spool holds if the store takes it, before returning.
     */
    @Override
    public void close() {
        lateWrites.close();
        for (DecisionRecord summary : refusals.drain()) {
            if (commits.append(DecisionTable.Row.of(summary), SUMMARY_TIMEOUT) == Outcome.FAILED) {
                spool(summary);
            }
        }
        commits.close();
        spool.ifPresent(s -> {
            replay(s);
            s.close();
        });
    }
}
