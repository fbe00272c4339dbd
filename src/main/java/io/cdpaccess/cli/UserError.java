package io.cdpaccess.cli;

/** Bad input from the person at the terminal: printed as one line, exit code 2, nothing changed. */
final class UserError extends RuntimeException {

    UserError(String message) {
        super(message, null, false, false);
    }
}
