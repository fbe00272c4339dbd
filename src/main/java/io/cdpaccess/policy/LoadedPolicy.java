package io.cdpaccess.policy;

/**
 * What {@link LivePolicy} serves and swaps: a compiled policy, or a policy together with what it
 * was compiled against (the fact sources), so that both are replaced as one.
 */
public interface LoadedPolicy {

    /** A short fingerprint of the rules. */
    String version();

    /** Where the policy was read from. */
    String origin();

    /** How many rules it has, for the log. */
    int ruleCount();
}
