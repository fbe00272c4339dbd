package io.cdpaccess.source.roster;

/**
 * A roster file that cannot be served: one line naming the file, the line and, where there is
 * one, the column (by number and header), and what was expected there.
 */
final class RosterFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    RosterFormatException(String message) {
        super(message);
    }

    RosterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
