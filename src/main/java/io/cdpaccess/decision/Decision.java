package io.cdpaccess.decision;

import java.util.Optional;

/**
 * The outcome of deciding one well-formed request.
 *
 * @param detail extra facts for the record (which grant ended when, the block's reason...)
 * @param grantId the grant that allowed, for an allow
 */
public record Decision(Effect effect, Reason reason, String detail, Optional<String> grantId) {

    public static Decision allow(String grantId, String detail) {
        return new Decision(Effect.ALLOW, Reason.GRANT, detail, Optional.of(grantId));
    }

    public static Decision deny(Reason reason, String detail) {
        return new Decision(Effect.DENY, reason, detail, Optional.empty());
    }

    public static Decision error(Reason reason, String detail) {
        return new Decision(Effect.ERROR, reason, detail, Optional.empty());
    }

    public boolean allowed() {
        return effect == Effect.ALLOW;
    }
}
