package io.cdpaccess.audit;

import io.cdpaccess.audit.GroupCommit.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every answer, written <em>before</em> the answer is sent: the
 * {@code decisions} table ({@link DecisionTable}) behind a {@link GroupCommit}, so that answers
 * given at the same time share one commit and each wait is bounded by its request's deadline.
 * A record whose requester gave up is kept as {@code deadline-exceeded}, what that caller got.
 */
public final class DecisionLog implements AutoCloseable {

    private final GroupCommit<DecisionRecord> commits;

    public DecisionLog(DataSource dataSource, Clock clock) {
        this.commits = new GroupCommit<>(
                new DecisionTable(dataSource),
                DecisionRecord::asDeadlineExceeded,
                r -> "decision " + r.decisionId() + " (" + r.effect().label() + "/" + r.reason() + ")",
                LoggerFactory.getLogger(DecisionLog.class),
                clock,
                "cdp-access-decision-log");
    }

    /** Records a decision durably, waiting at most {@code timeout}. */
    public Outcome append(DecisionRecord record, Duration timeout) {
        return commits.append(record, timeout);
    }

    /** The last commit failure, empty once a later commit succeeded. For readiness checks. */
    public Optional<GroupCommit.Failure> lastFailure() {
        return commits.lastFailure();
    }

    /** The writer's counters and queue, for the metrics. */
    public CommitCounters counters() {
        return commits;
    }

    /** Stops accepting records and writes those already queued before returning. */
    @Override
    public void close() {
        commits.close();
    }
}
