package io.cdpaccess.source.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdpaccess.config.FactField;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts in a JSON answer, each at its JSON Pointer. A pointer that leads nowhere, or to
 * {@code null}, leaves the fact out ({@code has()} is false). JSON's own types are taken as they
 * are — {@code true}, {@code 12}, {@code ["a", "b"]} — and a JSON string is read as text is
 * everywhere ({@code "yes"}, {@code "12"}, {@code "2026-06-30"}, {@code "a, b"}); anything else
 * is a failure that names the pointer and the type expected, never a guess.
 */
final class JsonFacts {

    private JsonFacts() {}

    /** The answer for a user the endpoint does not know: {@code found} false and nothing else. */
    static final SourceAnswer NOT_FOUND = new SourceAnswer(false, Map.of("found", false), Optional.empty());

    static SourceAnswer read(
            JsonNode answer, List<FactField> fields, Optional<String> foundPointer, ZoneId zone, Instant now)
            throws SourceException {
        if (foundPointer.isPresent()) {
            String pointer = foundPointer.get();
            JsonNode node = answer.at(pointer);
            if (node.isMissingNode() || node.isNull()) {
                throw new SourceException("the answer has no " + pointer + " (found) to say whether it knows the user");
            }
            if (!Boolean.TRUE.equals(value(node, FactField.Type.BOOL, pointer, zone))) {
                return NOT_FOUND;
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("found", true);
        Instant changesAt = null;
        for (FactField field : fields) {
            JsonNode node = answer.at(field.from());
            if (node.isMissingNode() || node.isNull()) {
                continue;
            }
            Object value = value(node, field.type(), field.from(), zone);
            if (value == null) {
                continue;
            }
            facts.put(field.name(), value);
            // an answer that says "until then" is not used past then, not even as a stale one
            if (value instanceof Instant t && t.isAfter(now) && (changesAt == null || t.isBefore(changesAt))) {
                changesAt = t;
            }
        }
        return new SourceAnswer(true, facts, Optional.ofNullable(changesAt));
    }

    private static Object value(JsonNode node, FactField.Type type, String pointer, ZoneId zone)
            throws SourceException {
        try {
            if (node.isTextual()) {
                return FactFields.fromText(type, node.textValue(), zone, ",");
            }
            Object value = switch (type) {
                case STRING -> node.isNumber() || node.isBoolean() ? node.asText() : null;
                case INT -> node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue() : null;
                case BOOL ->
                    node.isBoolean()
                            ? (Object) node.booleanValue()
                            : node.isIntegralNumber() && (node.asLong() == 0 || node.asLong() == 1)
                                    ? (Object) (node.asLong() == 1)
                                    : null;
                case LIST -> node.isArray() ? list(node, pointer) : null;
                case DATE, TIMESTAMP -> null; // only as text: a number's unit (s, ms) would be a guess
            };
            if (value != null) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            throw new SourceException(pointer + ": " + e.getMessage(), e);
        }
        throw new SourceException(
                pointer + " is " + kind(node) + ", expected " + expected(type) + " (" + type.written() + ")");
    }

    private static List<String> list(JsonNode array, String pointer) throws SourceException {
        List<String> items = new ArrayList<>();
        for (JsonNode item : array) {
            if (item.isTextual() || item.isNumber() || item.isBoolean()) {
                String s = item.asText().strip();
                if (!s.isEmpty()) {
                    items.add(s);
                }
            } else if (!item.isNull()) {
                throw new SourceException(pointer + " holds " + kind(item) + ", expected a list of strings (list)");
            }
        }
        return List.copyOf(items);
    }

    private static String expected(FactField.Type type) {
        return switch (type) {
            case STRING -> "a string";
            case INT -> "a whole number";
            case BOOL -> "true or false";
            case DATE -> "a date string such as \"2026-06-30\"";
            case TIMESTAMP -> "a time string such as \"2026-06-30T17:00:00Z\"";
            case LIST -> "an array of strings";
        };
    }

    private static String kind(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNumber()) {
            return "a number";
        }
        return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
