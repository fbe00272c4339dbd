package io.cdpaccess.protocol;

/**
 * Rules for text that comes from outside (REDCap's fields, what people type) wherever it is
 * checked, kept or shown: one definition of a control character and one way to cut text short.
 */
public final class Texts {

    private Texts() {}

    /**
     * Whether {@code text} holds a character that can break a line or a record: an ISO control
     * character or a Unicode line or paragraph separator.
     */
    public static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
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
