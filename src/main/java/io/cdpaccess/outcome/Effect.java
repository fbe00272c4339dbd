package io.cdpaccess.outcome;

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

    /** The labels as a person reads them: {@code allow, deny, rejected or error}. */
    public static String choices() {
        StringBuilder text = new StringBuilder();
        Effect[] all = values();
        for (int i = 0; i < all.length; i++) {
            text.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].label());
        }
        return text.toString();
    }

    /**
     * The effect with this {@link #label()}.
     *
     * @throws IllegalArgumentException naming the labels there are
     */
    public static Effect fromLabel(String label) {
        for (Effect e : values()) {
            if (e.label().equals(label)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown effect '" + label + "'; expected " + choices());
    }
}
