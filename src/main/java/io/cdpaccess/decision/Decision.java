package io.cdpaccess.decision;

import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.policy.SourceUse;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of deciding one well-formed request.
 *
 * @param reason the deciding rule's name, {@code no-rule-matched}, or a {@link Reason} code
 * @param detail the deciding rule's facts, or why there was no policy decision, for the record
 * @param grantId the active grant, when the policy read it and allowed
 * @param explanation every rule's outcome and the facts used, when the policy was evaluated
 * @param sources for each fact source the evaluation used: how long it took, whether from cache;
 *     in the order asked, a source that gave another's key before that one
 */
public record Decision(
        Effect effect,
        String reason,
        String detail,
        Optional<String> grantId,
        Optional<PolicyResult> explanation,
        Map<String, SourceUse> sources) {

    public Decision {
        // Not Map.copyOf: its order is arbitrary, and the explanation lists sources in this order.
        sources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sources));
    }

    static Decision outside(Effect effect, Reason reason, String detail) {
        return new Decision(effect, reason.code(), detail, Optional.empty(), Optional.empty(), Map.of());
    }

    public boolean allowed() {
        return effect == Effect.ALLOW;
    }
}
