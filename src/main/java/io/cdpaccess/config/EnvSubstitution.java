package io.cdpaccess.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} in configuration values, replaced from the
 * environment; the default applies also when {@code NAME} is set but empty, as in the shell, and
 * {@code $$} writes a literal {@code $}. Secrets can so stay out of the file.
 */
public final class EnvSubstitution {

    /** Leaves text as it is: for documents that are not configuration (policy test cases). */
    public static final EnvSubstitution NONE = new EnvSubstitution(null);

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Map<String, String> environment;

    /** Substitution from {@code environment}. */
    public EnvSubstitution(Map<String, String> environment) {
        this.environment = environment == null ? null : Map.copyOf(environment);
    }

    /**
     * The text with every reference replaced.
     *
     * @throws IllegalArgumentException naming the variable that is not set and has no default
     */
    public String apply(String text) {
        if (environment == null) {
            return text;
        }
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group().equals("$$")) {
                replacement = "$";
            } else {
                String name = matcher.group(1);
                Optional<String> value = Optional.ofNullable(environment.get(name));
                if (matcher.group(2) != null && value.map(String::isEmpty).orElse(true)) {
                    value = Optional.of(matcher.group(3)); // as in the shell: the default also replaces ""
                }
                replacement = value.orElseThrow(() -> new IllegalArgumentException("environment variable " + name
                        + " is not set (write ${" + name + ":-default} to give a default)"));
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * A problem found in the substituted value of {@code text}, told without the values its
     * references brought in: each is shown as the reference that supplied it. Environment values
     * are often secrets (a password in a JDBC URL), and error messages end up in terminals,
     * tickets and service logs. A parser may echo only part of a value (the port of
     * {@code host:port}), so should any word of a value still show, the detail is dropped and only
     * the variables are named.
     */
    public String redact(String message, String text) {
        if (environment == null || message == null) {
            return message;
        }
        Map<String, String> used = new java.util.LinkedHashMap<>();
        Matcher matcher = REFERENCE.matcher(text);
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = name == null ? null : environment.get(name);
            if (value != null && !value.isEmpty()) {
                used.put(name, value);
            }
        }
        String redacted = message;
        for (Map.Entry<String, String> e : used.entrySet()) {
            redacted = redacted.replace(e.getValue(), "${" + e.getKey() + "}");
        }
        for (String value : used.values()) {
            if (showsAnyWordOf(redacted, value)) {
                return "is not valid; the value comes from "
                        + String.join(
                                ", ",
                                used.keySet().stream().map(n -> "${" + n + "}").toList()) + " and is not shown";
            }
        }
        return redacted;
    }

    /** Whether {@code message} contains a word (two or more letters or digits) of {@code value}. */
    private static boolean showsAnyWordOf(String message, String value) {
        for (String word : value.split("[^A-Za-z0-9]+", -1)) {
            if (word.length() >= 2 && message.contains(word)) {
                return true;
            }
        }
        return message.contains(value);
    }
}
