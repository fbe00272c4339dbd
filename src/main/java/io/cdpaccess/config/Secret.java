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

    /** Equal values are equal secrets: an unchanged password keeps a reloaded source as it was. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s
                && java.security.MessageDigest.isEqual(
                        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // never a function of the value
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "" : "****";
    }
}
