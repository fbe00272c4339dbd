package io.cdpaccess.source;

/**
 * Where a source reports what happens to it, for the metrics: implemented with Micrometer in
 * {@code meters}, so that this package knows nothing of a registry.
 */
public interface SourceMetrics {

    /**
     * One lookup made at the source itself, however many decisions shared it, with how it ended
     * ({@code FOUND}, {@code NOT_FOUND}, {@code ERROR}: a client that ran out of its timeout too)
     * and how long it took; or one not made, {@code BREAKER_OPEN}, taking no time. Never {@code
     * TIMEOUT}: a decision that stops waiting is {@link #waitAbandoned}, and the lookup still ends.
     */
    void lookup(String source, SourceOutcome outcome, long nanos);

    /**
     * One decision that stopped waiting for the source's answer (the decision's deadline, or the
     * source's timeout, came first), once per decision: each of several decisions sharing one
     * lookup counts.
     */
    void waitAbandoned(String source);

    /** One answer asked of the cache: {@code hit}, {@code miss} or {@code stale} (an old answer standing in). */
    void cache(String source, String result);

    /**
     * A source was opened and serves from now on: meters that should show before its first lookup
     * (whether a loaded copy is stale) can be registered.
     */
    default void serving(String source) {}

    SourceMetrics NONE = new SourceMetrics() {
        @Override
        public void lookup(String source, SourceOutcome outcome, long nanos) {}

        @Override
        public void waitAbandoned(String source) {}

        @Override
        public void cache(String source, String result) {}
    };
}
