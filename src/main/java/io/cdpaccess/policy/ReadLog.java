package io.cdpaccess.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which facts each rule read during one evaluation, with the values read ({@code null} for a
 * field that was not set). Not thread-safe: one per evaluation.
 */
final class ReadLog {

    private final List<Map<String, Object>> perRule = new ArrayList<>();
    private Map<String, Object> current = new LinkedHashMap<>();

    void startRule() {
        current = new LinkedHashMap<>();
        perRule.add(current);
    }

    void read(String path, Object value) {
        current.putIfAbsent(path, value);
    }

    Map<String, Object> reads(int rule) {
        return Collections.unmodifiableMap(perRule.get(rule));
    }
}
