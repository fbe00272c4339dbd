package io.cdpaccess.store;

import java.util.Locale;

/**
 * Where a grant stands at a given moment, the one definition used by the policy's facts
 * ({@code store.grant.state}), {@code grant list} and revocation.
 */
public enum GrantState {
    /** In force: started, not ended, not revoked. */
    ACTIVE,
    /** Not yet started (and not revoked). */
    FUTURE,
    /** Its end has passed (and it was not revoked). */
    ENDED,
    /** Taken back; kept on the record. */
    REVOKED;

    /** As shown to people and to rules: {@code active}, {@code future}, {@code ended}, {@code revoked}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Active or future: a grant that a revocation still has something to take back from. */
    public boolean current() {
        return this == ACTIVE || this == FUTURE;
    }
}
