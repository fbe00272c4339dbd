package io.cdpaccess.cli;

import io.cdpaccess.ops.LogText;
import io.cdpaccess.protocol.Texts;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Left-aligned text columns for list commands; values from outside are escaped like log text. */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    void row(Object... values) {
        List<String> row = new ArrayList<>();
        for (Object v : values) {
            String s = v == null ? "-" : v.toString();
            row.add(needsEscape(s) ? LogText.quote(s) : s);
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

    private static boolean needsEscape(String s) {
        return s.indexOf('"') >= 0 || Texts.hasControlCharacter(s);
    }
}
