package io.cdpaccess.audit;

import java.util.Optional;

/** Decision records for the audit tests, built from one another. */
final class Records {

    private Records() {}

    /** {@code r} with another username as sent and another detail: text a database could mangle. */
    static DecisionRecord withUserAndDetail(DecisionRecord r, String user, String detail) {
        return new DecisionRecord(
                r.decisionId(),
                r.decidedAt(),
                r.instance(),
                Optional.of(user),
                r.normalizedUser(),
                r.projectId(),
                r.redcapUrl(),
                r.callerIp(),
                r.peerIp(),
                r.effect(),
                r.reason(),
                Optional.of(detail),
                r.httpStatus(),
                r.latencyMicros(),
                r.grantId());
    }
}
