package io.cdpaccess.ops;

import io.cdpaccess.protocol.Texts;

/**
 * Makes text from outside safe to put in a log line: quoted, with backslash, quote, every
 * control character, the Unicode line separators and invisible format characters escaped, and cut to a bounded length. A
 * username containing CR/LF therefore cannot forge a second log line.
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
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // FORMAT covers zero-width and bidirectional controls (U+200B, U+202E...), which
                    // can make a line read differently from what it contains.
                    if (Character.isISOControl(c)
                            || c == '\u2028'
                            || c == '\u2029'
                            || Character.getType(c) == Character.FORMAT) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (text.length() > shown.length()) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
