package io.cdpaccess.policy;

import java.util.Locale;

/** What a rule does when it matches. */
public enum RuleEffect {
    ALLOW,
    DENY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
