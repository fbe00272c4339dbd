package io.cdpaccess.policy;

import java.util.List;

/**
 * A policy that cannot be used. Each problem is one line naming the file and line, the rule, and
 * the position in its expression: {@code cdp-access.yaml:31: rule 'epic-users': 1:8: undefined field 'usr'}.
 */
public final class PolicyException extends Exception {

    private final List<String> problems;

    public PolicyException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
