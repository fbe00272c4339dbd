package io.cdpaccess.cli;

import io.cdpaccess.protocol.UnsafeText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Left-aligned text columns for list commands. A value holding a character that is unsafe to show
 * ({@link UnsafeText}: controls, bidirectional overrides, zero-width characters) or a double quote
 * is shown quoted and escaped as in log lines; every other value as it is. A quoted cell is
 * therefore always the escaped form, and a terminal never renders a username reordered or
 * split across rows.
 */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    void row(Object... values) {
        List<String> row = new ArrayList<>();
        for (Object v : values) {
            row.add(shown(v));
        }
        rows.add(row);
    }

    void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        line(out, header, widths);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append("  ");
            }
            sb.append(cells.get(i));
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(widths[i] - cells.get(i).length()));
            }
        }
        out.println(sb);
    }

    /** A value as a table cell or a line of output shows it: {@code -} for null, else as described above. */
    static String shown(Object value) {
        String s = value == null ? "-" : value.toString();
        return s.indexOf('"') >= 0 || UnsafeText.hasUnsafe(s) ? UnsafeText.quote(s) : s;
    }
}
