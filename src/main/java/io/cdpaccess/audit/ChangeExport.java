package io.cdpaccess.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.ops.CsvText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The administrative trail as CSV (safe for spreadsheets) or JSON Lines, one change at a time. */
public final class ChangeExport implements AutoCloseable {

    static final List<String> COLUMNS =
            List.of("change_id", "changed_at", "actor", "action", "subject", "before", "after", "writer");

    private final Writer out;
    private final DecisionExport.Format format;
    private final ObjectMapper json = new ObjectMapper();
    private long count;

    public ChangeExport(Writer out, DecisionExport.Format format) throws IOException {
        this.out = out;
        this.format = format;
        if (format == DecisionExport.Format.CSV) {
            out.write(CsvText.line(COLUMNS));
        }
    }

    /** Writes one change; I/O errors surface as {@link UncheckedIOException} to suit streaming callbacks. */
    public void write(ChangeRecord r) {
        List<Object> values = java.util.Arrays.asList(
                r.changeId(),
                r.changedAt().toString(),
                r.actor(),
                r.action(),
                r.subject(),
                r.before().orElse(null),
                r.after().orElse(null),
                r.writer().orElse(null));
        try {
            if (format == DecisionExport.Format.CSV) {
                out.write(CsvText.line(values));
            } else {
                Map<String, Object> line = new LinkedHashMap<>();
                for (int i = 0; i < values.size(); i++) {
                    Object v = values.get(i);
                    boolean nested =
                            (COLUMNS.get(i).equals("before") || COLUMNS.get(i).equals("after")) && v != null;
                    // before and after nested as JSON, so that jq reaches into them
                    line.put(COLUMNS.get(i), nested ? json.readTree((String) v) : v);
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
