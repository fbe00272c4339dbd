package io.cdpaccess.decision;

import java.util.Locale;

/**
 * The kind of outcome, as recorded and counted. Kept apart so that an operator can tell a policy
 * deny from a refused caller from the service failing.
 */
public enum Effect {
    /** Answered {@code 1}. */
    ALLOW,
    /** A decision was made and it is no. */
    DENY,
    /** The caller was refused before any decision (not authenticated, wrong method, too large). */
    REJECTED,
    /** The service could not decide (store down, deadline passed); answered 503. */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
