package io.cdpaccess.policy;

import java.util.List;

/**
 * An ordered list of rules as written, before compilation.
 *
 * @param origin the file it came from (or the built-in policy's resource name)
 */
public record PolicySpec(List<RuleSpec> rules, String origin) {

    public PolicySpec {
        rules = List.copyOf(rules);
    }
}
