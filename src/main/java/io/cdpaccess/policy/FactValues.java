package io.cdpaccess.policy;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fact values between their plain form (see {@link FactType}) and what a file holds: the one
 * place they are converted in either direction. Typed conversion (ISO text to a timestamp where
 * the type says timestamp) is {@link FactType#canonical}'s.
 */
public final class FactValues {

    private FactValues() {}

    /**
     * A value as a YAML or JSON reader made it, as a plain fact value: integers as {@code Long},
     * timestamps (which YAML reads as {@link Date}) as {@link Instant}, maps with text keys, and
     * the same inside lists and maps.
     */
    public static Object fromDecoded(Object value) {
        if (value instanceof Date d) {
            return d.toInstant();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), fromDecoded(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(FactValues::fromDecoded).toList();
        }
        return value;
    }

    /** A plain value as JSON can hold it: instants become ISO-8601 text, the rest already is JSON. */
    public static Object toJson(Object value) {
        if (value instanceof Instant i) {
            return i.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), toJson(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(FactValues::toJson).toList();
        }
        return value;
    }
}
