package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.time.Deadline;

/**
 * The rule that no answer is given off the record: a decision's record is committed to the
 * decision log before its answer may be written, within what is left of the request's deadline.
 * If the commit fails or the deadline passes first, the answer becomes 503 {@code 0}
 * ({@code log-unavailable}, {@code deadline-exceeded}) whatever was decided, so an allow that
 * cannot be recorded is never given.
 */
public final class RecordBeforeAnswer {

    private final DecisionLog log;

    public RecordBeforeAnswer(DecisionLog log) {
        this.log = log;
    }

    /** Commits {@code record} and returns the answer that may now be written. */
    public Answered record(DecisionRecord record, Answer answer, Deadline deadline) {
        Outcome outcome = log.append(record, deadline.remaining());
        if (outcome == Outcome.COMMITTED) {
            return new Answered(record, answer, deadline);
        }
        Reason why = outcome == Outcome.TIMED_OUT ? Reason.DEADLINE_EXCEEDED : Reason.LOG_UNAVAILABLE;
        return new Answered(record.asUnrecorded(why), Answer.UNAVAILABLE, deadline);
    }
}
