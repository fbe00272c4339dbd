package io.cdpaccess.config;

/**
 * A configuration value that must never appear in a log line, an error message or a
 * {@code toString()} (database and keystore passwords). Read it with {@link #reveal()} at the
 * one place that hands it to a driver.
 */
public final class Secret {

    private static final Secret NONE = new Secret("");

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    public static Secret none() {
        return NONE;
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "" : "****";
    }
}
