package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.time.Deadline;
import java.time.Duration;

/**
 * The rule that no answer is given off the record: a decision's record is committed to the
 * decision log before its answer may be written, within what is left of the request's deadline.
 * If the commit fails or the deadline passes first, the answer becomes 503 {@code 0}
 * ({@code log-unavailable}, {@code deadline-exceeded}) whatever was decided, so an allow that
 * cannot be recorded is never given; the decision log spools the 503 or writes it late. A
 * refusal counted into its address's per-minute summary is answered at once.
 */
public final class RecordBeforeAnswer {

    /** How a record goes onto the log: appended for real, or rehearsed. */
    private interface Appender {
        Outcome append(DecisionRecord record, Deadline deadline);
    }

    private final Appender appender;

    public RecordBeforeAnswer(DecisionLog log) {
        this.appender =
                (record, deadline) -> log.append(record, deadline.remaining(), () -> deadline.elapsedNanos() / 1_000);
    }

    private RecordBeforeAnswer(Appender appender) {
        this.appender = appender;
    }

    /**
     * Writes each record the way the log would, in a transaction rolled back
     * ({@link DecisionLog#rehearse}): for the warm-up's rehearsals of REDCap's call, which must
     * run the whole path and leave no row. Never wired to what the network reaches.
     */
    public static RecordBeforeAnswer rehearsal(DecisionLog log) {
        return new RecordBeforeAnswer((record, deadline) -> log.rehearse(record, deadline.remaining()));
    }

    /**
     * Commits {@code record} and returns the answer that may now be written.
     *
     * @param holdBack how long the answer is to wait once recorded (a slowed caller's)
     */
    public Answered record(DecisionRecord record, Answer answer, Deadline deadline, Duration holdBack) {
        Outcome outcome = appender.append(record, deadline);
        return switch (outcome) {
            case COMMITTED, COUNTED -> new Answered(record, answer, deadline, holdBack);
            case TIMED_OUT -> new Answered(record.asDeadlineExceeded(), Answer.UNAVAILABLE, deadline, holdBack);
            case FAILED ->
                new Answered(record.asUnrecorded(Reason.LOG_UNAVAILABLE), Answer.UNAVAILABLE, deadline, holdBack);
        };
    }
}
