package io.cdpaccess.source.roster;

import io.cdpaccess.config.FactField;
import io.cdpaccess.source.SourceAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a roster file in memory, immutable once built: rows found by their normalized
 * key in O(1).
 *
 * <p>Laid out for a million rows in little memory rather than as a map per row: every key's
 * UTF-8 bytes back to back in one array, an open-addressing table of row numbers over them, and
 * the facts of all rows in one array of references, row after row. Values that repeat (a course
 * name, a date, {@code true}) are one shared object, so a row costs its key's bytes, about a
 * dozen bytes of index and one reference per column. Measured in the README.
 */
final class Roster {

    /** A key with no row: {@code found} false, every column unset. */
    static final SourceAnswer NOT_FOUND = new SourceAnswer(false, Map.of("found", false), Optional.empty());

    private final String[] names;
    private final byte[] keys;
    private final int[] keyStart;
    private final int[] slots;
    private final Object[] values;
    private final int rows;

    private Roster(String[] names, byte[] keys, int[] keyStart, int[] slots, Object[] values, int rows) {
        this.names = names;
        this.keys = keys;
        this.keyStart = keyStart;
        this.slots = slots;
        this.values = values;
        this.rows = rows;
    }

    int rows() {
        return rows;
    }

    /** The facts of {@code normalizedKey}'s row: {@code found} and each column with a value; else not found. */
    SourceAnswer answer(String normalizedKey) {
        byte[] key = normalizedKey.getBytes(StandardCharsets.UTF_8);
        int row = find(slots, keys, keyStart, key, 0, key.length);
        if (row < 0) {
            return NOT_FOUND;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("found", true);
        int base = row * names.length;
        for (int i = 0; i < names.length; i++) {
            Object v = values[base + i];
            if (v != null) {
                facts.put(names[i], v);
            }
        }
        // Nothing here changes with time alone: a date is a fact, and rules compare it with now.
        return new SourceAnswer(true, facts, Optional.empty());
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + b[i];
        }
        return (h ^ (h >>> 16)) * 0x9E3779B9;
    }

    /** The row whose key is {@code b[from, to)}, or -1. */
    private static int find(int[] slots, byte[] keys, int[] keyStart, byte[] b, int from, int to) {
        int mask = slots.length - 1;
        for (int i = hash(b, from, to) & mask; ; i = (i + 1) & mask) {
            int row = slots[i] - 1;
            if (row < 0) {
                return -1;
            }
            if (Arrays.equals(keys, keyStart[row], keyStart[row + 1], b, from, to)) {
                return row;
            }
        }
    }

    /** Builds a roster row by row; refuses a key twice. Not thread-safe; {@link #build} once. */
    static final class Builder {

        private final String[] names;
        private byte[] keys = new byte[1 << 12];
        private int keyBytes;
        private int[] keyStart = new int[1 << 8];
        private int[] slots = new int[1 << 9];
        private Object[] values;
        private int rows;

        Builder(List<FactField> columns) {
            this.names = columns.stream().map(FactField::name).toArray(String[]::new);
            this.values = new Object[Math.max(1, names.length) << 8];
        }

        int rows() {
            return rows;
        }

        /**
         * Adds a row: its key's UTF-8 bytes and its values in column order.
         *
         * @return -1, or the earlier row with the same key (nothing is added then)
         */
        int add(byte[] key, Object[] row) {
            int existing = find(slots, keys, keyStart, key, 0, key.length);
            if (existing >= 0) {
                return existing;
            }
            if (keyBytes + key.length > keys.length) {
                keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keyBytes + key.length));
            }
            System.arraycopy(key, 0, keys, keyBytes, key.length);
            if (rows + 2 > keyStart.length) {
                keyStart = Arrays.copyOf(keyStart, keyStart.length * 2);
            }
            keyStart[rows] = keyBytes;
            keyBytes += key.length;
            keyStart[rows + 1] = keyBytes;
            if ((rows + 1) * names.length > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            System.arraycopy(row, 0, values, rows * names.length, names.length);
            rows++;
            if (rows * 2 > slots.length) {
                slots = new int[slots.length * 2];
                for (int r = 0; r < rows; r++) {
                    place(slots, r);
                }
            } else {
                place(slots, rows - 1);
            }
            return -1;
        }

        private void place(int[] table, int row) {
            int mask = table.length - 1;
            int i = hash(keys, keyStart[row], keyStart[row + 1]) & mask;
            while (table[i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = row + 1;
        }

        /** The roster, its arrays trimmed to what the rows use. */
        Roster build() {
            return new Roster(
                    names,
                    Arrays.copyOf(keys, keyBytes),
                    Arrays.copyOf(keyStart, rows + 1),
                    slots,
                    Arrays.copyOf(values, rows * names.length),
                    rows);
        }
    }
}
