package io.cdpaccess.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of {@code /metrics} read the way Prometheus reads it: samples of name, labels and
 * value from the text exposition format, so tests ask for {@code value("cdp_access_policy_stale",
 * "reason", "policy-invalid")} rather than match text that formatting could change.
 */
public final class Scrape {

    /** One line of the exposition: {@code name{label="value",...} 1.0}. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final List<Sample> samples;
    private final String text;

    private Scrape(List<Sample> samples, String text) {
        this.samples = List.copyOf(samples);
        this.text = text;
    }

    /** Parses exposition text; any line that is neither a comment nor a sample fails the test. */
    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find() && l.start() == end) {
                    labels.put(
                            l.group(1),
                            l.group(2)
                                    .replace("\\\"", "\"")
                                    .replace("\\n", "\n")
                                    .replace("\\\\", "\\"));
                    end = l.end();
                }
                if (end != m.group(2).length()) {
                    throw new AssertionError("bad labels in: " + line);
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(samples, text);
    }

    /**
     * The value of the one sample named {@code name} whose labels include the given
     * {@code label, value} pairs; empty when there is none.
     *
     * @throws AssertionError when several samples match
     */
    public OptionalDouble value(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        if (found.size() > 1) {
            throw new AssertionError("several samples match " + name + " " + List.of(labelPairs) + ": " + found);
        }
        return found.isEmpty()
                ? OptionalDouble.empty()
                : OptionalDouble.of(found.get(0).value());
    }

    /** Like {@link #value}, but 0 when there is no such sample (a counter that never moved). */
    public double count(String name, String... labelPairs) {
        return value(name, labelPairs).orElse(0);
    }

    /** The sum of every sample named {@code name} whose labels include the given pairs. */
    public double sum(String name, String... labelPairs) {
        return find(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    /** Every sample named {@code name} whose labels include the given pairs. */
    public List<Sample> find(String name, String... labelPairs) {
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            boolean match = s.name().equals(name);
            for (int i = 0; match && i < labelPairs.length; i += 2) {
                match = labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
            }
            if (match) {
                out.add(s);
            }
        }
        return out;
    }

    public String text() {
        return text;
    }
}
