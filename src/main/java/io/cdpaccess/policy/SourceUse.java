package io.cdpaccess.policy;

/**
 * How one fact source served one decision, for its explanation.
 *
 * @param latencyMicros how long getting its facts took
 * @param cached whether they came from memory rather than from the source itself
 */
public record SourceUse(long latencyMicros, boolean cached) {}
