package io.cdpaccess.ops;

import io.cdpaccess.protocol.UnsafeText;
import java.util.List;

/**
 * CSV cells (RFC 4180) that a security officer can open in a spreadsheet safely: usernames and
 * reasons come from outside, so a cell must neither run as a formula nor read differently from
 * what it holds.
 *
 * <p>Cells are what was recorded with two exceptions. Text holding a character that is unsafe to
 * show ({@link UnsafeText}: line breaks, controls, bidirectional overrides, zero-width characters)
 * or starting with a double quote is written in its quoted, escaped form, as in log lines (a JSON
 * string, so any JSON parser reads it back); every record is then one line. Text that a
 * spreadsheet would run as a formula ({@code =}, {@code +}, {@code -}, {@code @}, their full-width
 * forms, tab or CR first, also after leading spaces of any kind) is prefixed with a single quote.
 * Numbers are written as they are, negative ones included.
 */
public final class CsvText {

    /** The line ending RFC 4180 asks for. */
    public static final String LINE_END = "\r\n";

    private CsvText() {}

    /** One line of cells, with its line ending. */
    public static String line(List<?> values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            line.append(i == 0 ? "" : ",").append(cell(values.get(i)));
        }
        return line.append(LINE_END).toString();
    }

    /** One cell: empty for null. */
    public static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (!(value instanceof Number)) {
            if (s.startsWith("\"") || UnsafeText.hasUnsafe(s)) {
                s = UnsafeText.quote(s); // starts with a quote: never a formula
            } else if (startsFormula(s)) {
                s = "'" + s;
            }
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /**
     * Whether a spreadsheet would read {@code s} as a formula: Excel and LibreOffice skip leading
     * spaces (also no-break and other Unicode spaces) and, with East Asian input, take the
     * full-width signs for the ASCII ones.
     */
    private static boolean startsFormula(String s) {
        int i = 0;
        while (i < s.length() && Character.isSpaceChar(s.charAt(i))) {
            i++;
        }
        return i < s.length() && "=+-@\t\r\uff1d\uff0b\uff0d\uff20".indexOf(s.charAt(i)) >= 0;
    }
}
