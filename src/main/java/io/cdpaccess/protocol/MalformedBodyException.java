package io.cdpaccess.protocol;

/**
 * A request body that cannot be read as a form. The message is a short description safe to log:
 * it never quotes the body.
 */
public final class MalformedBodyException extends Exception {

    public MalformedBodyException(String message) {
        super(message, null, false, false);
    }
}
