package io.cdpaccess.config;

import java.util.List;

/**
 * Configuration that cannot be used. Each problem is one line of the form
 * {@code file:line: key: what is wrong and what to do}; there may be several.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;
    private final boolean unreadable;

    public ConfigException(List<String> problems) {
        this(problems, false);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    private ConfigException(List<String> problems, boolean unreadable) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
        this.unreadable = unreadable;
    }

    /** The file itself could not be read (missing, no permission), as opposed to read and found wrong. */
    static ConfigException unreadable(String problem) {
        return new ConfigException(List.of(problem), true);
    }

    public List<String> problems() {
        return problems;
    }

    /** Whether the file could not be read at all: an operator fixes a path or a permission, not content. */
    public boolean unreadable() {
        return unreadable;
    }
}
