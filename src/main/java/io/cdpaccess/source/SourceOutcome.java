package io.cdpaccess.source;

import java.util.Locale;

/** How one lookup at a source ended. */
public enum SourceOutcome {
    FOUND,
    NOT_FOUND,
    /** The source answered with an error, or could not be reached. */
    ERROR,
    /**
     * The decision stopped waiting: no answer within the source's timeout or the decision's
     * deadline. A decision's, not a lookup's: the lookup itself goes on and ends otherwise.
     */
    TIMEOUT,
    /** Not asked: its circuit breaker is open. */
    BREAKER_OPEN;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
