package io.cdpaccess.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.protocol.UnsafeText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes decision records as CSV (RFC 4180, one header row) or JSON Lines, one record per line,
 * with the columns of the decision log in its order.
 *
 * <p>Usernames come from outside and a security officer will open the export in a spreadsheet, so
 * CSV cells are what was recorded with two exceptions. Text holding a character that is unsafe to
 * show ({@link UnsafeText}: line breaks, controls, bidirectional overrides, zero-width characters)
 * or starting with a double quote is written in its quoted, escaped form, as in log lines (a JSON
 * string, so any JSON parser reads it back); every record is then one line, and no cell reads
 * differently from what it holds. Text that a spreadsheet would run as a formula ({@code =},
 * {@code +}, {@code -}, {@code @}, their full-width forms, tab or CR first, also after leading
 * spaces of any kind) is prefixed with a single quote. JSON Lines stay faithful: JSON's own
 * escaping is unambiguous.
 */
public final class DecisionExport implements AutoCloseable {

    /** Output format. */
    public enum Format {
        CSV,
        JSONL;

        /** Parses {@code csv} or {@code jsonl}. */
        public static Format parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + text + "'; use csv or jsonl", e);
            }
        }
    }

    /** The export's column names, in order. */
    static final List<String> COLUMNS =
            DecisionTable.COLUMNS.stream().map(DecisionTable.Column::exportName).toList();

    private final Writer out;
    private final Format format;
    private final ObjectMapper json = new ObjectMapper();
    private long count;

    public DecisionExport(Writer out, Format format) throws IOException {
        this.out = out;
        this.format = format;
        if (format == Format.CSV) {
            out.write(String.join(",", COLUMNS));
            out.write("\r\n");
        }
    }

    /** Writes one record; I/O errors surface as {@link UncheckedIOException} to suit streaming callbacks. */
    public void write(DecisionRecord r) {
        try {
            if (format == Format.CSV) {
                String separator = "";
                for (DecisionTable.Column column : DecisionTable.COLUMNS) {
                    out.write(separator);
                    out.write(csvCell(column.export(r)));
                    separator = ",";
                }
                out.write("\r\n");
            } else {
                Map<String, Object> line = new LinkedHashMap<>();
                for (DecisionTable.Column column : DecisionTable.COLUMNS) {
                    line.put(column.exportName(), column.export(r));
                }
                if (r.explanation().isPresent()) {
                    // Nested as JSON, not as a string holding JSON, so jq and friends can reach into it.
                    line.put("explanation", json.readTree(r.explanation().get()));
                }
                out.write(json.writeValueAsString(line));
                out.write('\n');
            }
            count++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long count() {
        return count;
    }

    static String csvCell(Object value) {
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

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
