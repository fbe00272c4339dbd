package io.cdpaccess.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Prometheus' text exposition format (0.0.4) back into samples, for the command line to
 * show what a running service's {@code /metrics} says. Only as much of the format as a sample
 * line needs: a name, optional labels whose quoted values may hold escaped {@code \\}, {@code \"}
 * and {@code \n} (and so commas, braces and spaces), a value ({@code NaN} and {@code ±Inf}
 * included) and an optional timestamp. Comments and lines that are not samples are passed over:
 * a line this reader does not understand must not hide the ones it does.
 */
public final class PrometheusText {

    /**
     * One sample.
     *
     * @param name the metric name as exposed ({@code cdp_access_source_cache_total})
     * @param labels label names to their unescaped values
     */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }

        /** The value of {@code label}, or the empty string, as Prometheus reads a missing label. */
        public String label(String label) {
            return labels.getOrDefault(label, "");
        }
    }

    private PrometheusText() {}

    /** Every sample line of {@code text}, in order. */
    public static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                sample(s).ifPresent(samples::add);
            }
        }
        return List.copyOf(samples);
    }

    /** One sample line, or empty when it is not one. */
    static Optional<Sample> sample(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            return Optional.empty();
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return Optional.empty();
            }
        }
        String[] rest = line.substring(i).strip().split("[ \t]+", -1);
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Sample(name, labels, value(rest[0])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads {@code name="value",...}} from {@code i} (just after the brace) into {@code labels};
     * the index after the closing brace, or -1 when the labels are malformed.
     */
    private static int labels(String line, int i, Map<String, String> labels) {
        int n = line.length();
        while (true) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && line.charAt(i) == '}') {
                return i + 1;
            }
            int start = i;
            while (i < n && isNameChar(line.charAt(i), i == start) && line.charAt(i) != ':') {
                i++;
            }
            if (i == start || i + 1 >= n || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                return -1;
            }
            String label = line.substring(start, i);
            i += 2;
            StringBuilder value = new StringBuilder();
            while (true) {
                if (i >= n) {
                    return -1;
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (i >= n) {
                        return -1;
                    }
                    char e = line.charAt(i++);
                    // The format escapes only these three; anything else after a backslash is kept as is.
                    switch (e) {
                        case 'n' -> value.append('\n');
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        default -> value.append('\\').append(e);
                    }
                } else {
                    value.append(c);
                }
            }
            labels.put(label, value.toString());
            if (i < n && line.charAt(i) == ',') {
                i++;
            } else if (i >= n || line.charAt(i) != '}') {
                return -1;
            }
        }
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private static boolean isNameChar(char c, boolean first) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || c == '_'
                || c == ':'
                || (!first && c >= '0' && c <= '9');
    }
}
