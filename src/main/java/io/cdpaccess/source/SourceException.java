package io.cdpaccess.source;

/**
 * A source could not answer. The message is one line for operators (it appears in the log, in
 * {@code sources test} and in the decision's explanation), so it never carries a password or a
 * bind credential.
 */
public final class SourceException extends Exception {

    private static final long serialVersionUID = 1L;

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
