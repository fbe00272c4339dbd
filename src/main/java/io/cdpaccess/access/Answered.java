package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.time.Deadline;
import java.time.Duration;

/**
 * The final answer to one request, and its record: committed to the decision log before this was
 * made, or, when that failed, the 503 the caller gets and a record saying why (which the log may
 * not hold).
 *
 * @param deadline the request's deadline, whose elapsed time measures the whole exchange
 * @param holdBack how long to wait before writing the answer: non-zero only for a caller slowed
 *     after repeated failures; the record is committed already
 */
public record Answered(DecisionRecord record, Answer answer, Deadline deadline, Duration holdBack) {}
