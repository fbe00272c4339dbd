package io.cdpaccess.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A change record's values before and after, as JSON: a grant, a project or a block (or a list
 * of them) with its fields in snake case, times as ISO-8601, absent values as null. {@code
 * before} is empty for something new, {@code after} for something removed.
 */
public record ChangeValues(Optional<String> before, Optional<String> after) {

    public static final ChangeValues NONE = new ChangeValues(Optional.empty(), Optional.empty());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The values of records (or lists of records, or plain maps), as JSON; null for none. */
    public static ChangeValues of(Object before, Object after) {
        return new ChangeValues(json(before), json(after));
    }

    private static Optional<String> json(Object value) {
        if (value == null || (value instanceof Collection<?> c && c.isEmpty())) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.writeValueAsString(plain(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a change's values are plain records: " + e.getMessage(), e);
        }
    }

    private static Object plain(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Optional<?> o) {
            return o.map(ChangeValues::plain).orElse(null);
        }
        if (value instanceof OptionalLong o) {
            return o.isPresent() ? (Object) o.getAsLong() : null;
        }
        if (value instanceof Instant) {
            return value.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value.getClass().isRecord()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (RecordComponent rc : value.getClass().getRecordComponents()) {
                try {
                    out.put(snake(rc.getName()), plain(rc.getAccessor().invoke(value)));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + rc.getName() + " of a change's values", e);
                }
            }
            return out;
        }
        return value;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
