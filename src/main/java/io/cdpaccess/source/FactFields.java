package io.cdpaccess.source;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The facts of a generic source ({@code sql}, {@code roster}, {@code web}) as rules see them, and
 * how a value written as text (a file's cell, a JSON string, a character column) becomes one.
 */
public final class FactFields {

    private FactFields() {}

    /** The source's variable: its declared facts, plus {@code found} (whether the source knows the key). */
    public static FactType.Struct struct(SourceConfig source, List<FactField> fields) {
        Map<String, FactType> types = new LinkedHashMap<>();
        types.put("found", FactType.Scalar.BOOL);
        fields.forEach(f -> types.put(f.name(), factType(f.type())));
        return new FactType.Struct(SourceKind.typeName(source), types);
    }

    /** The type rules see: a date is read as the timestamp at which it ends. */
    public static FactType factType(FactField.Type type) {
        return switch (type) {
            case STRING -> FactType.Scalar.STRING;
            case INT -> FactType.Scalar.INT;
            case BOOL -> FactType.Scalar.BOOL;
            case DATE, TIMESTAMP -> FactType.Scalar.TIMESTAMP;
            case LIST -> new FactType.ListOf(FactType.Scalar.STRING);
        };
    }

    /**
     * A value written as text, as its fact's type, or {@code null} for an empty text (the fact
     * is left out, so {@code has()} is false). A list is split at {@code listSeparator}, each item
     * stripped, empty ones dropped.
     *
     * @throws IllegalArgumentException naming what was expected, never echoing more than a short value
     */
    public static Object fromText(FactField.Type type, String text, ZoneId zone, String listSeparator) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        return switch (type) {
            case STRING -> t;
            case INT -> integer(t);
            case BOOL -> bool(t);
            case DATE -> endOfDay(t, zone);
            case TIMESTAMP -> timestamp(t, zone);
            case LIST -> list(t, listSeparator);
        };
    }

    private static Long integer(String t) {
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, not " + shown(t), e);
        }
    }

    private static Boolean bool(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "y", "1", "t" -> true;
            case "false", "no", "n", "0", "f" -> false;
            default -> throw new IllegalArgumentException("expected true/false, yes/no or 1/0, not " + shown(t));
        };
    }

    /** A date means the end of that day in {@code zone}: the first instant of the next. */
    public static Instant endOfDay(LocalDate date, ZoneId zone) {
        return date.plusDays(1).atStartOfDay(zone).toInstant();
    }

    private static Instant endOfDay(String t, ZoneId zone) {
        try {
            return endOfDay(LocalDate.parse(t), zone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected a date such as 2026-06-30, not " + shown(t), e);
        }
    }

    /** With an offset or {@code Z} as written; without one, local time in {@code zone}. */
    private static Instant timestamp(String t, ZoneId zone) {
        String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + "T" + t.substring(11) : t;
        try {
            return OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeException withoutOffset) {
            try {
                return LocalDateTime.parse(iso).atZone(zone).toInstant();
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(
                        "expected a time such as 2026-06-30T17:00:00Z or 2026-06-30 12:00:00, not " + shown(t), e);
            }
        }
    }

    private static List<String> list(String t, String separator) {
        List<String> items = new ArrayList<>();
        for (String item : t.split(java.util.regex.Pattern.quote(separator), -1)) {
            String s = item.strip();
            if (!s.isEmpty()) {
                items.add(s);
            }
        }
        return List.copyOf(items);
    }

    /** A value in a message: short, as a roster or a response may hold anything. */
    private static String shown(String t) {
        return "'" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "'";
    }
}
