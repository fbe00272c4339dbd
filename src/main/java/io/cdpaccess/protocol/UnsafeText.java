package io.cdpaccess.protocol;

/**
 * The one definition of text that is unsafe to show as it is, and the one way to show it: used by
 * the request parser, the log, the command line's tables and messages, and CSV export.
 *
 * <p>Text from outside (a username REDCap sends, a reason someone typed) reaches terminals, log
 * files and spreadsheets. Two kinds of characters there make what a person reads differ from what
 * was recorded:
 *
 * <ul>
 *   <li><b>line breakers</b>: control characters (C0, DEL, C1) and the Unicode line and paragraph
 *       separators, which end a log line or a table row early, move the cursor or ring the bell.
 *       The request parser refuses them: REDCap never sends them in a username, project id or URL;
 *   <li><b>invisible characters</b>: Unicode format characters (bidirectional overrides and
 *       isolates such as U+202E, zero-width spaces and joiners, U+FEFF, tag characters) and the
 *       other default-ignorable code points (variation selectors, Hangul fillers), plus halves of
 *       surrogate pairs. They show nothing or reorder what follows, so {@code alice} with a
 *       zero-width space (U+200B) inside looks like {@code alice}, and {@code nimda} after a
 *       right-to-left override (U+202E) looks like {@code admin}. The parser
 *       accepts them: REDCap passes on whatever its login (LDAP, Shibboleth) produced, and
 *       whether such a name may pull EHR data is the policy's decision, answered and recorded
 *       like any other. They are only ever shown escaped.
 * </ul>
 *
 * <p>Both kinds are shown Java/JSON style: {@code \n}, {@code \r}, {@code \t}, else a
 * backslash, {@code u} and four lower-case hex digits per UTF-16 unit (U+202E as {@code \}{@code u202e}).
 */
public final class UnsafeText {

    private UnsafeText() {}

    /** Whether {@code codePoint} must never be shown as it is: a line breaker or an invisible character. */
    public static boolean isUnsafe(int codePoint) {
        return breaksLines(codePoint) || isInvisible(codePoint);
    }

    /**
     * Whether {@code codePoint} is a control character or a Unicode line or paragraph separator:
     * what can end a line or record early. The request parser refuses these.
     */
    public static boolean breaksLines(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Whether {@code text} holds a character that {@link #breaksLines} says can end a line. */
    public static boolean hasLineBreaker(String text) {
        int from = firstNonAscii(text);
        return from < text.length() && text.substring(from).codePoints().anyMatch(UnsafeText::breaksLines);
    }

    /** Whether {@code text} holds any character that {@link #isUnsafe} says must not be shown raw. */
    public static boolean hasUnsafe(String text) {
        int from = firstNonAscii(text);
        return from < text.length() && text.substring(from).codePoints().anyMatch(UnsafeText::isUnsafe);
    }

    /**
     * The index of the first character that is not printable ASCII (space to {@code ~}, none of
     * which is unsafe), or the length: exports check every cell of millions of records, mostly
     * ASCII, and a plain loop over them is many times faster than classifying each code point.
     * Whatever precedes that index is ASCII, so it starts a code point.
     */
    private static int firstNonAscii(String text) {
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c < ' ' || c > '~') {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * {@code text} with every unsafe character escaped and nothing else changed: for a line whose
     * readers need not tell an escape from a typed backslash, such as an error message.
     */
    public static String escape(String text) {
        if (!hasUnsafe(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> append(out, c, false));
        return out.toString();
    }

    /**
     * {@code text} between double quotes, with quotes, backslashes and every unsafe character
     * escaped: a form that reads back unambiguously to the text, as in log lines.
     */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        appendQuotable(out, text);
        return out.append('"').toString();
    }

    /** Appends {@code text} as it appears between the quotes of {@link #quote}. */
    public static void appendQuotable(StringBuilder out, String text) {
        text.codePoints().forEach(c -> append(out, c, true));
    }

    private static void append(StringBuilder out, int c, boolean inQuotes) {
        if (inQuotes && (c == '"' || c == '\\')) {
            out.append('\\').appendCodePoint(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\r') {
            out.append("\\r");
        } else if (c == '\t') {
            out.append("\\t");
        } else if (isUnsafe(c)) {
            for (char unit : Character.toChars(c)) {
                out.append(String.format("\\u%04x", (int) unit));
            }
        } else {
            out.appendCodePoint(c);
        }
    }

    private static boolean isInvisible(int c) {
        int type = Character.getType(c);
        if (type == Character.FORMAT || type == Character.SURROGATE) {
            return true; // a surrogate here is half a pair: String.codePoints() joins whole ones
        }
        // Unicode's Default_Ignorable_Code_Point that are not format characters: rendered as
        // nothing when a font has no glyph (DerivedCoreProperties.txt).
        return c == 0x034F
                || c == 0x115F
                || c == 0x1160
                || c == 0x17B4
                || c == 0x17B5
                || (c >= 0x180B && c <= 0x180F)
                || (c >= 0x2060 && c <= 0x206F)
                || c == 0x3164
                || (c >= 0xFE00 && c <= 0xFE0F)
                || c == 0xFFA0
                || (c >= 0xFFF0 && c <= 0xFFF8)
                || (c >= 0x1BCA0 && c <= 0x1BCA3)
                || (c >= 0x1D173 && c <= 0x1D17A)
                || (c >= 0xE0000 && c <= 0xE0FFF);
    }
}
