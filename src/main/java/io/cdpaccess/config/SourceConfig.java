package io.cdpaccess.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One configured fact source: the variable rules read ({@code ldap}, {@code redcap}, {@code
 * training}...), how long it may take, how its answers are cached, how many lookups may be in
 * flight at once, how a REDCap username becomes its key, and its kind's own settings.
 *
 * @param name the CEL variable rules read; never {@code request}, {@code now} or {@code store}
 * @param origin {@code file:line} of its entry, for messages
 * @param timeout the longest one lookup may take (the decision's deadline bounds it too)
 * @param cache how long answers are kept
 * @param maxConcurrent lookups in flight at once; more wait for a free one within the deadline
 * @param identity how the normalized username becomes this source's key
 * @param irbNumber {@code source.fact} that gives the project's IRB number this source is asked
 *     with ({@code redcap.project_irb_number}); that source is asked first
 * @param settings the kind's own settings; its type names the kind
 */
public record SourceConfig(
        String name,
        String origin,
        Duration timeout,
        SourceCache cache,
        int maxConcurrent,
        IdentityMapping identity,
        Optional<String> irbNumber,
        SourceSettings settings) {

    /** The sources asked before this one, for its key or its IRB number, without repeats. */
    public List<String> dependencies() {
        List<String> d = new ArrayList<>();
        identity.viaSource().ifPresent(d::add);
        irbNumberSource().filter(s -> !d.contains(s)).ifPresent(d::add);
        return List.copyOf(d);
    }

    /** The source that {@link #irbNumber} names, if any. */
    public Optional<String> irbNumberSource() {
        return irbNumber.map(v -> v.substring(0, v.indexOf('.')));
    }

    /** The fact of that source that {@link #irbNumber} names, if any. */
    public Optional<String> irbNumberFact() {
        return irbNumber.map(v -> v.substring(v.indexOf('.') + 1));
    }

    /** The kind, as written in {@code type:}. */
    public String type() {
        return settings.type();
    }

    /**
     * How long a source's answers are kept.
     *
     * @param found how long an answer that found the key is used without asking again
     * @param notFound the same for "no such user" (shorter: a new hire should not wait long)
     * @param staleIfError how much longer an answer may stand in while the source fails: how long
     *     a leaver can keep access while the directory is down
     * @param maxEntries answers kept at most (least recently used go first)
     */
    public record SourceCache(Duration found, Duration notFound, Duration staleIfError, int maxEntries) {

        public static final SourceCache DEFAULT =
                new SourceCache(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(15), 10_000);
    }
}
