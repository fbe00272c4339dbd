package io.cdpaccess.source;

/**
 * Where a source reports what happens to it, for the metrics: implemented with Micrometer in
 * {@code meters}, so that this package knows nothing of a registry.
 */
public interface SourceMetrics {

    /** One lookup made at the source itself. */
    void lookup(String source, SourceOutcome outcome, long nanos);

    /** One answer asked of the cache: {@code hit}, {@code miss} or {@code stale} (an old answer standing in). */
    void cache(String source, String result);

    SourceMetrics NONE = new SourceMetrics() {
        @Override
        public void lookup(String source, SourceOutcome outcome, long nanos) {}

        @Override
        public void cache(String source, String result) {}
    };
}
