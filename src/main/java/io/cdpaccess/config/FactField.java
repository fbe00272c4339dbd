package io.cdpaccess.config;

import java.util.Locale;

/**
 * One fact a generic source ({@code sql}, {@code roster}, {@code web}) exposes: the name rules
 * read it by, where its value comes from in the source's answer (a column, a JSON Pointer), and
 * its type.
 *
 * @param name the field rules read, e.g. {@code training.completed_on}
 * @param from the column label or header, or the JSON Pointer, that holds the value
 * @param type how the value is read
 */
public record FactField(String name, String from, Type type) {

    /** The types a generic source's facts can have. */
    public enum Type {
        STRING,
        INT,
        BOOL,
        /** A calendar date; as everywhere in the service it means the end of that day, in the source's zone. */
        DATE,
        TIMESTAMP,
        /** A list of strings. */
        LIST;

        /** The type as written in a configuration. */
        public String written() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Type parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "string" -> STRING;
                case "int" -> INT;
                case "bool", "boolean" -> BOOL;
                case "date" -> DATE;
                case "timestamp" -> TIMESTAMP;
                case "list" -> LIST;
                default -> throw new IllegalArgumentException("expected string, int, bool, date, timestamp or list");
            };
        }
    }
}
