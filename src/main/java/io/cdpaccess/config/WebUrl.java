package io.cdpaccess.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code web} source's URL template, split where its placeholders are so that each is encoded
 * for where it stands: a value in the path is one path segment, a value in the query one query
 * value, whatever it holds ({@code /}, {@code ?}, {@code #}, {@code &}, {@code %}, spaces).
 *
 * @param template the URL as written
 * @param parts literal text and placeholders, in order
 */
public record WebUrl(String template, List<Part> parts) {

    /** What a template may ask with: the key, the REDCap username, the project, the instance, the IRB number. */
    public static final List<String> PLACEHOLDERS =
            List.of("user", "redcap_user", "project_id", "instance", "irb_number");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    public WebUrl {
        parts = List.copyOf(parts);
    }

    /** One piece of the template. */
    public sealed interface Part permits Literal, Placeholder {}

    /** Text as written. */
    public record Literal(String text) implements Part {}

    /**
     * A value filled in per lookup.
     *
     * @param name one of {@link #PLACEHOLDERS}
     * @param inQuery whether it stands after the {@code ?} (a query value) rather than in the path
     */
    public record Placeholder(String name, boolean inQuery) implements Part {}

    /** Whether the template asks with {@code name}. */
    public boolean uses(String name) {
        return parts.stream()
                .anyMatch(p -> p instanceof Placeholder h && h.name().equals(name));
    }

    /**
     * A template: {@code https://} (or {@code http://} to a loopback host only: the key and any
     * credential would otherwise cross the network in clear), placeholders only in the path or
     * the query, no fragment, no credentials in the URL.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static WebUrl parse(String text) {
        String t = text.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
            throw new IllegalArgumentException("expected https://host/path/{user}");
        }
        if (t.contains("#")) {
            throw new IllegalArgumentException("a lookup's URL has no fragment (#)");
        }
        int afterScheme = t.indexOf("://") + 3;
        int authorityEnd = firstOf(t, afterScheme, '/', '?');
        int query = t.indexOf('?');
        List<Part> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(t);
        int at = 0;
        StringBuilder sample = new StringBuilder();
        while (m.find()) {
            known(m.group(1));
            if (m.start() < authorityEnd) {
                throw new IllegalArgumentException(
                        "placeholders go in the path or the query, not in the host: {" + m.group(1) + "}");
            }
            literal(parts, sample, t.substring(at, m.start()));
            parts.add(new Placeholder(m.group(1), query >= 0 && m.start() > query));
            sample.append('x');
            at = m.end();
        }
        literal(parts, sample, t.substring(at));
        URI uri;
        try {
            uri = new URI(sample.toString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason(), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("expected a host, as in https://irb.example.edu/api/{user}");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("credentials go in auth:, not in the URL");
        }
        if (uri.getScheme().equalsIgnoreCase("http") && !loopback(uri.getHost())) {
            throw new IllegalArgumentException(
                    "http:// is only for a loopback host (127.0.0.1, localhost, [::1]); use https://");
        }
        return new WebUrl(t, parts);
    }

    /**
     * The placeholders in {@code text} (a body template's string), in order.
     *
     * @throws IllegalArgumentException for a placeholder that is none of {@link #PLACEHOLDERS}
     */
    static List<String> placeholdersIn(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(known(m.group(1)));
        }
        return names;
    }

    private static String known(String name) {
        if (!PLACEHOLDERS.contains(name)) {
            throw new IllegalArgumentException(
                    "unknown placeholder {" + name + "}; expected one of {" + String.join("}, {", PLACEHOLDERS) + "}");
        }
        return name;
    }

    private static void literal(List<Part> parts, StringBuilder sample, String text) {
        if (text.contains("{") || text.contains("}")) {
            throw new IllegalArgumentException("a { or } that is not a placeholder such as {user}");
        }
        if (!text.isEmpty()) {
            parts.add(new Literal(text));
            sample.append(text);
        }
    }

    private static int firstOf(String t, int from, char a, char b) {
        for (int i = from; i < t.length(); i++) {
            if (t.charAt(i) == a || t.charAt(i) == b) {
                return i;
            }
        }
        return t.length();
    }

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "[::1]", "::1");

    /** Only names that cannot leave the machine: no name is looked up to decide. */
    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return LOOPBACK_NAMES.contains(h) || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
