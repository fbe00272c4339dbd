package io.cdpaccess.policy;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Which facts each rule read during one evaluation, with the values read ({@code null} for a
 * field that was not set). The decision path's hottest spot: reads are appended to one array as
 * they happen, and each rule's record is a small array-backed map, because per-rule hash maps
 * were once half of everything a decision allocated. One per evaluation, one thread.
 */
final class ReadLog {

    private Object[] pairs = new Object[64]; // path, value, path, value...
    private int size;
    private int ruleStart;

    /** Starts the record of the next rule. */
    void startRule() {
        ruleStart = size;
    }

    void read(String path, Object value) {
        if (size + 2 > pairs.length) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[size++] = path;
        pairs[size++] = value;
    }

    /** The facts the current rule read: the first value per path, in the order first read. */
    Map<String, Object> ruleReads() {
        if (ruleStart == size) {
            return Map.of();
        }
        String[] paths = new String[(size - ruleStart) / 2];
        Object[] values = new Object[paths.length];
        int n = 0;
        next:
        for (int i = ruleStart; i < size; i += 2) {
            String path = (String) pairs[i];
            for (int j = 0; j < n; j++) {
                if (paths[j].equals(path)) {
                    continue next; // a rule reads a handful of facts: a scan beats hashing
                }
            }
            paths[n] = path;
            values[n++] = pairs[i + 1];
        }
        return new Reads(paths, values, n);
    }

    /** An immutable map in read order; {@code null} values (not set) allowed. */
    private static final class Reads extends AbstractMap<String, Object> {
        private final String[] paths;
        private final Object[] values;
        private final int size;

        Reads(String[] paths, Object[] values, int size) {
            this.paths = paths;
            this.values = values;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean containsKey(Object key) {
            return indexOf(key) >= 0;
        }

        @Override
        public Object get(Object key) {
            int i = indexOf(key);
            return i < 0 ? null : values[i];
        }

        private int indexOf(Object key) {
            for (int i = 0; i < size; i++) {
                if (paths[i].equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return size;
                }

                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < size;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (next >= size) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(paths[i], values[i]);
                        }
                    };
                }
            };
        }
    }
}
