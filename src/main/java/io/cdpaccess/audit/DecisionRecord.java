package io.cdpaccess.audit;

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
 * @param effect allow, deny, rejected or error
 * @param reason stable reason code
 * @param httpStatus the status written with the answer
 * @param latencyMicros time from receiving the request to having the decision (before recording)
 * @param policyVersion the version of the policy that decided, when a policy was evaluated
 * @param explanation JSON: every rule's outcome and the facts used, when a policy was evaluated
 */
public record DecisionRecord(String decisionId, Instant decidedAt, Optional<String> instance, Optional<String> user,
                             Optional<String> normalizedUser, Optional<String> projectId, Optional<String> redcapUrl,
                             String callerIp, String peerIp, String effect, String reason, Optional<String> detail,
                             int httpStatus, long latencyMicros, Optional<String> grantId,
                             Optional<String> policyVersion, Optional<String> explanation) {

    /** A record without a policy evaluation (refused callers, malformed requests). */
    public DecisionRecord(String decisionId, Instant decidedAt, Optional<String> instance, Optional<String> user,
                          Optional<String> normalizedUser, Optional<String> projectId, Optional<String> redcapUrl,
                          String callerIp, String peerIp, String effect, String reason, Optional<String> detail,
                          int httpStatus, long latencyMicros, Optional<String> grantId) {
        this(decisionId, decidedAt, instance, user, normalizedUser, projectId, redcapUrl, callerIp, peerIp, effect,
                reason, detail, httpStatus, latencyMicros, grantId, Optional.empty(), Optional.empty());
    }

    /** This record as it must read when its answer missed the deadline before it was written. */
    DecisionRecord asDeadlineExceeded() {
        return new DecisionRecord(decisionId, decidedAt, instance, user, normalizedUser, projectId, redcapUrl, callerIp,
                peerIp, "error", "deadline-exceeded",
                Optional.of("not recorded within the deadline; was " + effect + "/" + reason), 503, latencyMicros,
                Optional.empty(), policyVersion, explanation);
    }
}
