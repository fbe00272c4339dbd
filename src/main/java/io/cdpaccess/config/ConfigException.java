package io.cdpaccess.config;

import java.util.List;

/**
 * Configuration that cannot be used. Each problem is one line of the form
 * {@code file:line: key: what is wrong and what to do}; there may be several.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
