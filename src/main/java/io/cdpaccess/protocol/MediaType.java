package io.cdpaccess.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code Content-Type} value: its essence ({@code type/subtype}, lower case) and
 * parameters (names lower case, quoted values unquoted). Lenient about white space, strict about
 * nothing else: an unparseable parameter is dropped, which at worst makes the body unreadable and
 * the request a deny.
 */
record MediaType(String essence, Map<String, String> parameters) {

    static MediaType parse(String header) {
        if (header == null || header.isBlank()) {
            return new MediaType("", Map.of());
        }
        String[] parts = splitOutsideQuotes(header);
        String essence = parts[0].strip().toLowerCase(Locale.ROOT);
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1)
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\");
            }
            parameters.putIfAbsent(name, value);
        }
        return new MediaType(essence, Map.copyOf(parameters));
    }

    String parameter(String name) {
        return parameters.get(name);
    }

    /** Splits on ';' except inside double quotes (a boundary may legally contain ';'). */
    private static String[] splitOutsideQuotes(String header) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"' && (i == 0 || header.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts.toArray(new String[0]);
    }
}
