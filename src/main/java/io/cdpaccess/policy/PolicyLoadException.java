package io.cdpaccess.policy;

import java.util.List;

/** A policy that could not be loaded, with why (as a category for metrics) and every problem (for people). */
public final class PolicyLoadException extends Exception {

    private final LivePolicy.StaleReason reason;
    private final List<String> problems;

    public PolicyLoadException(LivePolicy.StaleReason reason, List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.reason = reason;
        this.problems = List.copyOf(problems);
    }

    public LivePolicy.StaleReason reason() {
        return reason;
    }

    /** One line per problem, each naming file and line where known. */
    public List<String> problems() {
        return problems;
    }
}
