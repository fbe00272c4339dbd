package io.cdpaccess.db;

/**
 * The store could not be reached or could not do what was asked. The message is one line fit for
 * a person (it never contains credentials).
 */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
