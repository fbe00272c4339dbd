package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.time.Deadline;

/**
 * The final answer to one request and its record, already committed to the decision log (or, when
 * that failed, the 503 the caller gets and the record saying why).
 *
 * @param deadline the request's deadline, whose elapsed time measures the whole exchange
 */
public record Answered(DecisionRecord record, Answer answer, Deadline deadline) {}
