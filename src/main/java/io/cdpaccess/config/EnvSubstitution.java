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
}
