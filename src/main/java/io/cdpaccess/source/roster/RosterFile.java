package io.cdpaccess.source.roster;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.source.FactFields;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one version of a roster file into a {@link Roster}, whole or not at all: the first
 * problem refuses the file, with its line and column, and nothing of it is served.
 *
 * <p>Refused: a header without the key's or a declared column's header (or with one twice); a
 * row with more or fewer fields than the header; an empty key; a key on two rows (which row
 * would be the truth is a guess: the export is wrong); a value that is not of its column's type;
 * a quoted field never closed or text after a closing quote; bytes that are not text in the
 * encoding; more rows than {@code max_rows}. Keys are normalized as REDCap usernames are
 * everywhere in the service ({@link Username#normalize}: trimmed, lower case, NFC), so {@code
 * Alice} in the file is the REDCap user {@code alice}.
 */
final class RosterFile {

    /** Distinct texts remembered per column, so that repeated values are one object; beyond, each is its own. */
    private static final int INTERNED_PER_COLUMN = 1 << 16;

    private RosterFile() {}

    static Roster read(Path path, RosterSettings settings) throws IOException, RosterFormatException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.getFileName().toString(), settings);
        }
    }

    static Roster read(InputStream bytes, String file, RosterSettings settings)
            throws IOException, RosterFormatException {
        CsvReader csv = new CsvReader(bytes, settings.encoding(), settings.delimiter());
        List<String> header = new ArrayList<>();
        int width = csv.next(
                new CsvReader.Fields() {
                    @Override
                    public boolean wanted(int index) {
                        return true;
                    }

                    @Override
                    public void field(int index, String text) {
                        header.add(text.strip());
                    }
                },
                file);
        if (width < 0) {
            throw new RosterFormatException(file + " line 1: the file is empty; expected a header naming "
                    + settings.key() + " and the columns");
        }
        List<FactField> columns = settings.columns();
        int keyAt = at(header, settings.key(), file, "the key");
        // For each field of a row, the columns read from it (two facts may read one header).
        int[][] readBy = new int[width][0];
        for (int c = 0; c < columns.size(); c++) {
            FactField f = columns.get(c);
            int at = at(header, f.from(), file, "column " + f.name());
            readBy[at] = Arrays.copyOf(readBy[at], readBy[at].length + 1);
            readBy[at][readBy[at].length - 1] = c;
        }
        Rows rows = new Rows(csv, file, settings, header, keyAt, readBy);
        while (true) {
            int n = csv.next(rows, file);
            if (n < 0) {
                break;
            }
            rows.end(n);
        }
        return rows.builder.build();
    }

    private static int at(List<String> header, String name, String file, String what) throws RosterFormatException {
        int at = header.indexOf(name);
        if (at < 0) {
            throw new RosterFormatException(file + " line 1: no column headed '" + name + "' (" + what
                    + "); the header has: " + String.join(", ", header));
        }
        if (header.lastIndexOf(name) != at) {
            throw new RosterFormatException(file + " line 1, column " + (header.lastIndexOf(name) + 1)
                    + ": two columns are headed '" + name + "' (columns " + (at + 1) + " and "
                    + (header.lastIndexOf(name) + 1) + ")");
        }
        return at;
    }

    /** Takes each row's fields as they are read, converts them, and adds the row. */
    private static final class Rows implements CsvReader.Fields {

        private final CsvReader csv;
        private final String file;
        private final RosterSettings settings;
        private final List<String> header;
        private final int keyAt;
        private final int[][] readBy;
        private final List<FactField> columns;
        private final List<Map<String, Object>> interned = new ArrayList<>();
        private final Roster.Builder builder;
        /** The line each row started on, to name a duplicate's first row. */
        private int[] lines = new int[1 << 10];

        private final Object[] row;
        private byte[] key;

        Rows(CsvReader csv, String file, RosterSettings settings, List<String> header, int keyAt, int[][] readBy) {
            this.csv = csv;
            this.file = file;
            this.settings = settings;
            this.header = header;
            this.keyAt = keyAt;
            this.readBy = readBy;
            this.columns = settings.columns();
            this.builder = new Roster.Builder(columns);
            columns.forEach(c -> interned.add(new HashMap<>()));
            this.row = new Object[columns.size()];
        }

        @Override
        public boolean wanted(int index) {
            return index < readBy.length && (index == keyAt || readBy[index].length > 0);
        }

        @Override
        public void field(int index, String text) throws RosterFormatException {
            if (index == keyAt) {
                String normalized = Username.normalize(text);
                if (normalized.isEmpty()) {
                    throw problem(index, "empty; every row needs a username");
                }
                key = normalized.getBytes(StandardCharsets.UTF_8);
            }
            for (int column : readBy[index]) {
                row[column] = value(column, index, text);
            }
        }

        private Object value(int column, int index, String text) throws RosterFormatException {
            Map<String, Object> seen = interned.get(column);
            Object v = seen.get(text);
            if (v != null || seen.containsKey(text)) {
                return v;
            }
            FactField f = columns.get(column);
            try {
                v = FactFields.fromText(f.type(), text, settings.zone(), settings.listSeparator());
            } catch (IllegalArgumentException e) {
                throw problem(index, e.getMessage());
            }
            if (seen.size() < INTERNED_PER_COLUMN) {
                seen.put(text, v);
            }
            return v;
        }

        private RosterFormatException problem(int index, String what) {
            return new RosterFormatException(file + " line " + csv.recordLine() + ", column " + (index + 1) + " ("
                    + header.get(index) + "): " + what);
        }

        /** The end of a row of {@code fields} fields. */
        void end(int fields) throws RosterFormatException {
            long startLine = csv.recordLine();
            if (fields != header.size()) {
                throw new RosterFormatException(file + " line " + startLine + ": " + fields + " field"
                        + (fields == 1 ? "" : "s") + " where the header has " + header.size()
                        + " (a delimiter or line break inside a value needs the value in double quotes)");
            }
            if (builder.rows() >= settings.maxRows()) {
                throw new RosterFormatException(file + " line " + startLine + ": more than max_rows ("
                        + settings.maxRows() + ") rows; raise the source's max_rows if the file is right");
            }
            int earlier = builder.add(key, row);
            if (earlier >= 0) {
                throw new RosterFormatException(file + " line " + startLine + ", column " + (keyAt + 1) + " ("
                        + settings.key() + "): '" + new String(key, StandardCharsets.UTF_8) + "' is on line "
                        + lines[earlier] + " too; each user may have one row");
            }
            int added = builder.rows() - 1;
            if (added >= lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            lines[added] = (int) Math.min(Integer.MAX_VALUE, startLine);
            Arrays.fill(row, null);
            key = null;
        }
    }
}
