package io.cdpaccess.audit;

import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import java.time.Instant;
import java.util.Optional;

/**
 * One request to the REDCap endpoint as it is kept on the record: what was asked, by whom,
 * what was answered and why.
 *
 * @param instance the authenticated instance, empty when the caller was not authenticated
 * @param user the username as sent (possibly truncated), empty when absent
 * @param normalizedUser for filtering; empty when the request was not well-formed
 * @param projectId as sent (canonical decimal for well-formed requests)
 * @param callerIp the caller's address after trusted-proxy resolution
 * @param peerIp the address of the TCP peer (a proxy, when there is one)
 * @param reason stable reason code: the deciding rule's name, or a {@link Reason} code
 * @param httpStatus the status written with the answer
 * @param latencyMicros time from receiving the request to having the decision (before recording)
 * @param policyVersion the version of the policy that decided, when a policy was evaluated
 * @param explanation JSON ({@link Explanations}): every rule's outcome and the facts used, when a
 *     policy was evaluated
 */
public record DecisionRecord(
        String decisionId,
        Instant decidedAt,
        Optional<String> instance,
        Optional<String> user,
        Optional<String> normalizedUser,
        Optional<String> projectId,
        Optional<String> redcapUrl,
        String callerIp,
        String peerIp,
        Effect effect,
        String reason,
        Optional<String> detail,
        int httpStatus,
        long latencyMicros,
        Optional<String> grantId,
        Optional<String> policyVersion,
        Optional<String> explanation) {

    /** A record without a policy evaluation (refused callers, malformed requests). */
    public DecisionRecord(
            String decisionId,
            Instant decidedAt,
            Optional<String> instance,
            Optional<String> user,
            Optional<String> normalizedUser,
            Optional<String> projectId,
            Optional<String> redcapUrl,
            String callerIp,
            String peerIp,
            Effect effect,
            String reason,
            Optional<String> detail,
            int httpStatus,
            long latencyMicros,
            Optional<String> grantId) {
        this(
                decisionId,
                decidedAt,
                instance,
                user,
                normalizedUser,
                projectId,
                redcapUrl,
                callerIp,
                peerIp,
                effect,
                reason,
                detail,
                httpStatus,
                latencyMicros,
                grantId,
                Optional.empty(),
                Optional.empty());
    }

    /**
     * This record as it must read when its answer became a 503 after all: it could not be
     * recorded within the deadline ({@link Reason#DEADLINE_EXCEEDED}) or at all
     * ({@link Reason#LOG_UNAVAILABLE}). What it would have said is kept in the detail.
     */
    public DecisionRecord asUnrecorded(Reason why) {
        return unrecorded(
                why, why == Reason.DEADLINE_EXCEEDED ? "not recorded within the deadline" : "could not be recorded");
    }

    /**
     * This record as the 503 it became when the store could not take it, kept in the
     * {@link Spool} and written to the store late.
     */
    public DecisionRecord asSpooled() {
        return unrecorded(Reason.LOG_UNAVAILABLE, "the store could not take it; spooled and recorded late");
    }

    private DecisionRecord unrecorded(Reason why, String because) {
        return new DecisionRecord(
                decisionId,
                decidedAt,
                instance,
                user,
                normalizedUser,
                projectId,
                redcapUrl,
                callerIp,
                peerIp,
                Effect.ERROR,
                why.code(),
                Optional.of(because + "; was " + effect.label() + "/" + reason),
                503,
                latencyMicros,
                Optional.empty(),
                policyVersion,
                explanation);
    }

    /** This record as it must read when its answer missed the deadline before it was written. */
    public DecisionRecord asDeadlineExceeded() {
        return asUnrecorded(Reason.DEADLINE_EXCEEDED);
    }
}
