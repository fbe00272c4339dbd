package io.cdpaccess.protocol;

/**
 * Rules for text that comes from outside (REDCap's fields, what people type) wherever it is
 * checked, kept or shown: one way to cut text short; what is unsafe to show is {@link UnsafeText}'s.
 */
public final class Texts {

    private Texts() {}

    /**
     * Whether {@code text} holds a character that can break a line or a record: an ISO control
     * character or a Unicode line or paragraph separator ({@link UnsafeText#breaksLines}).
     */
    public static boolean hasControlCharacter(String text) {
        return UnsafeText.hasLineBreaker(text);
    }

    /**
     * {@code text} cut to at most {@code max} characters, never between the two halves of a
     * surrogate pair (half of one is not text, and PostgreSQL refuses it).
     */
    public static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
