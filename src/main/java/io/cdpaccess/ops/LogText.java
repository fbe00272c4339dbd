package io.cdpaccess.ops;

import io.cdpaccess.protocol.Texts;
import io.cdpaccess.protocol.UnsafeText;

/**
 * Makes text from outside safe to put in a log line: quoted, with backslash, quote and every
 * character {@link UnsafeText} calls unsafe (controls, line separators, invisible and
 * bidirectional format characters) escaped, and cut to a bounded length. A username containing
 * CR/LF therefore cannot forge a second log line, nor one with U+202E make it read backwards.
 */
public final class LogText {

    static final int MAX_LENGTH = 300;

    private LogText() {}

    /** {@code "escaped text"}, or {@code -} for null. */
    public static String quote(String text) {
        if (text == null) {
            return "-";
        }
        String shown = Texts.truncate(text, MAX_LENGTH);
        StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
        UnsafeText.appendQuotable(out, shown);
        if (text.length() > shown.length()) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
