package io.cdpaccess.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which facts each rule read during one evaluation, with the values read ({@code null} for a
 * field that was not set). Reads are appended as they happen — the decision path's hottest
 * spot, so no map per read — and grouped per rule only when asked. One per evaluation.
 */
final class ReadLog {

    private final List<Object> pairs = new ArrayList<>(64); // path, value, path, value...
    private final List<Integer> ruleStarts = new ArrayList<>(32);

    void startRule() {
        ruleStarts.add(pairs.size());
    }

    void read(String path, Object value) {
        pairs.add(path);
        pairs.add(value);
    }

    /** The facts rule {@code rule} (in evaluation order) read, first value per path, in order. */
    Map<String, Object> reads(int rule) {
        int from = ruleStarts.get(rule);
        int to = rule + 1 < ruleStarts.size() ? ruleStarts.get(rule + 1) : pairs.size();
        if (from == to) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = from; i < to; i += 2) {
            out.putIfAbsent((String) pairs.get(i), pairs.get(i + 1));
        }
        return Collections.unmodifiableMap(out);
    }
}
