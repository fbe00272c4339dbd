package io.cdpaccess.source;

import java.util.Locale;

/** How one lookup at a source ended. */
public enum SourceOutcome {
    FOUND,
    NOT_FOUND,
    /** The source answered with an error, or could not be reached. */
    ERROR,
    /** No answer within the source's timeout or the decision's deadline. */
    TIMEOUT,
    /** Not asked: its circuit breaker is open. */
    BREAKER_OPEN;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
