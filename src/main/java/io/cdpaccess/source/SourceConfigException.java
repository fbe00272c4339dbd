package io.cdpaccess.source;

import java.util.List;

/** Configured sources that cannot work together; each problem one line naming file and line. */
public final class SourceConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SourceConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
