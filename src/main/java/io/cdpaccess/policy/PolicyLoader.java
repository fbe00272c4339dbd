package io.cdpaccess.policy;

/**
 * Where a {@link LivePolicy} gets a new policy from when it reloads (in the service: the
 * configuration file, read and compiled again). Injected, so that this package knows nothing of
 * files or configuration formats.
 */
@FunctionalInterface
public interface PolicyLoader<T extends LoadedPolicy> {

    /**
     * Reads and compiles the policy.
     *
     * @throws PolicyLoadException with the category and every problem, when it cannot be used
     */
    T load() throws PolicyLoadException;
}
