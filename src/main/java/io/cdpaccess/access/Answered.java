package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.time.Deadline;

/**
 * The final answer to one request, and its record: committed to the decision log before this was
 * made, or, when that failed, the 503 the caller gets and a record saying why (which the log may
 * not hold).
 *
 * @param deadline the request's deadline, whose elapsed time measures the whole exchange
 */
public record Answered(DecisionRecord record, Answer answer, Deadline deadline) {}
