package io.cdpaccess.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.ops.CsvText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes decision records as CSV (RFC 4180, one header row, cells safe for spreadsheets: {@link
 * CsvText}) or JSON Lines, one record per line, with the columns of the decision log in its order.
 * JSON Lines stay faithful: JSON's own escaping is unambiguous.
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
            out.write(CsvText.line(COLUMNS));
        }
    }

    /** Writes one record; I/O errors surface as {@link UncheckedIOException} to suit streaming callbacks. */
    public void write(DecisionRecord r) {
        try {
            if (format == Format.CSV) {
                List<Object> cells = new ArrayList<>(DecisionTable.COLUMNS.size());
                for (DecisionTable.Column column : DecisionTable.COLUMNS) {
                    cells.add(column.export(r));
                }
                out.write(CsvText.line(cells));
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

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
