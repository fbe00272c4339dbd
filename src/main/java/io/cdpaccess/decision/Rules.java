package io.cdpaccess.decision;

import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.LoadedPolicy;
import io.cdpaccess.source.SourceSet;

/**
 * A policy and the fact sources it was compiled against: loaded, served and swapped as one, so
 * a reload that changes {@code sources:} and the rules that read them is atomic.
 */
public record Rules(CompiledPolicy policy, SourceSet sources) implements LoadedPolicy {

    /** A policy that reads no source. */
    public static Rules of(CompiledPolicy policy) {
        return new Rules(policy, SourceSet.none());
    }

    @Override
    public String version() {
        return policy.version();
    }

    @Override
    public String origin() {
        return policy.origin();
    }

    @Override
    public int ruleCount() {
        return policy.ruleCount();
    }
}
