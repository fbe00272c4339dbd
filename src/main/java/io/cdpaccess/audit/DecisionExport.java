package io.cdpaccess.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.ops.CsvText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

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

    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    private final Writer out;
    private final Format format;
    /** JSON Lines are written by one generator straight to {@code out}: no tree, no string per line. */
    private final JsonGenerator json;

    private long count;

    public DecisionExport(Writer out, Format format) throws IOException {
        this.out = out;
        this.format = format;
        if (format == Format.CSV) {
            this.json = null;
            out.write(CsvText.line(COLUMNS));
        } else {
            this.json = JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            this.json.setRootValueSeparator(null);
        }
    }

    /** Writes one record; I/O errors surface as {@link UncheckedIOException} to suit streaming callbacks. */
    public void write(DecisionRecord r) {
        try {
            if (format == Format.CSV) {
                String separator = "";
                for (DecisionTable.Column column : DecisionTable.COLUMNS) {
                    out.write(separator);
                    out.write(CsvText.cell(column.export(r)));
                    separator = ",";
                }
                out.write(CsvText.LINE_END);
            } else {
                json.writeStartObject();
                for (DecisionTable.Column column : DecisionTable.COLUMNS) {
                    json.writeFieldName(column.exportName());
                    if (column.exportName().equals("explanation")
                            && r.explanation().isPresent()) {
                        // Nested as JSON, not as a string holding JSON, so jq and friends can reach into it.
                        try (JsonParser explanation =
                                JSON.createParser(r.explanation().get())) {
                            explanation.nextToken();
                            json.copyCurrentStructure(explanation);
                        }
                    } else {
                        Object value = column.export(r);
                        if (value == null) {
                            json.writeNull();
                        } else if (value instanceof Number n) {
                            json.writeNumber(n.longValue());
                        } else {
                            json.writeString(value.toString());
                        }
                    }
                }
                json.writeEndObject();
                json.writeRaw('\n');
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
        if (json != null) {
            json.close(); // flushes what it holds; out stays open
        }
        out.flush();
    }
}
