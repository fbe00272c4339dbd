package io.cdpaccess.audit;

import io.cdpaccess.outcome.Effect;
import java.util.Optional;

/** Decision records for the audit tests, built from one another. */
final class Records {

    private Records() {}

    /** {@code r} with another username as sent and another detail: text a database could mangle. */
    static DecisionRecord withUserAndDetail(DecisionRecord r, String user, String detail) {
        return copy(r, Optional.of(user), r.effect(), Optional.of(detail), r.policyVersion(), r.explanation());
    }

    /** {@code r} with another effect. */
    static DecisionRecord withEffect(DecisionRecord r, Effect effect) {
        return copy(r, r.user(), effect, r.detail(), r.policyVersion(), r.explanation());
    }

    /** {@code r} decided by a policy, with this explanation. */
    static DecisionRecord withExplanation(DecisionRecord r, String explanation) {
        return copy(r, r.user(), r.effect(), r.detail(), Optional.of("3f2a9c81d0e4"), Optional.of(explanation));
    }

    private static DecisionRecord copy(
            DecisionRecord r,
            Optional<String> user,
            Effect effect,
            Optional<String> detail,
            Optional<String> policyVersion,
            Optional<String> explanation) {
        return new DecisionRecord(
                r.decisionId(),
                r.decidedAt(),
                r.instance(),
                user,
                r.normalizedUser(),
                r.projectId(),
                r.redcapUrl(),
                r.callerIp(),
                r.peerIp(),
                effect,
                r.reason(),
                detail,
                r.httpStatus(),
                r.latencyMicros(),
                r.grantId(),
                policyVersion,
                explanation);
    }
}
