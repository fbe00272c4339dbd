package io.cdpaccess.source;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a source's answers are as current as the system behind it, for sources that serve a
 * copy they loaded (a roster file): stale while the copy serving is older than what is there now
 * (a newer file was refused, or the file vanished), or while no copy could be loaded at all.
 * Sources that ask their system on every lookup are always current: their failures are lookups
 * that fail, and {@link LiveSource.Status} says so.
 *
 * @param stale whether answers come from an older copy than the system's, or from none
 * @param reason why, one line for operators (the log, {@code sources test}, explanations); never
 *     shown on {@code /health/ready}
 * @param since when it became stale
 * @param loaded the copy serving, for a source that loads one
 */
public record SourceHealth(boolean stale, Optional<String> reason, Optional<Instant> since, Optional<Loaded> loaded) {

    /** A source that answers from its system on every lookup. */
    public static final SourceHealth CURRENT =
            new SourceHealth(false, Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * A copy a source loaded.
     *
     * @param at when it was loaded
     * @param rows how many entries it holds
     */
    public record Loaded(Instant at, long rows) {}

    /** A source serving the newest copy there is. */
    public static SourceHealth current(Loaded loaded) {
        return new SourceHealth(false, Optional.empty(), Optional.empty(), Optional.of(loaded));
    }

    /** A source serving an older copy than there is, or none. */
    public static SourceHealth stale(String reason, Instant since, Optional<Loaded> loaded) {
        return new SourceHealth(true, Optional.of(reason), Optional.of(since), loaded);
    }
}
