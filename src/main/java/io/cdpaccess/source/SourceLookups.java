package io.cdpaccess.source;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.SourceUse;
import io.cdpaccess.time.Deadline;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The source lookups of one decision, started together: each source's facts are waited for
 * when a rule first reads them, never past the decision's deadline nor (a chain counted whole)
 * past the source's timeout. What each source gave is kept for the explanation, including a
 * source asked only for another's key ({@code identity: {via: ...}}): the decision rests on its
 * answer as much as on the facts the rules read.
 */
public final class SourceLookups {

    /**
     * The share of the deadline lookups may use: the rest is the decision's, to be recorded (a
     * durable commit) and answered, even when a source never answers.
     */
    static final double SHARE_OF_DEADLINE = 0.8;

    /** A source's facts could not be had; the rules reading them err (deny rules then match). */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final SourceSet set;
    private final Deadline deadline;
    private final long startNanos = System.nanoTime();
    private final Map<String, CompletableFuture<LiveSource.Asked>> asked = new LinkedHashMap<>();
    private final Map<String, SourceKey> keys = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> budgets = new LinkedHashMap<>();
    private final Map<String, SourceUse> uses = new LinkedHashMap<>();
    /** When each source's answer arrived, from {@code startNanos}: set before its future completes. */
    private final Map<String, Long> answeredAfterNanos = new java.util.concurrent.ConcurrentHashMap<>();
    /** The sources this decision stopped waiting for: each counted once, however often read. */
    private final Set<String> abandoned = new java.util.HashSet<>();

    SourceLookups(
            SourceSet set,
            Set<String> needed,
            String user,
            long projectId,
            String instance,
            Instant now,
            Deadline deadline) {
        this.set = set;
        this.deadline = deadline;
        for (String name : needed) {
            LiveSource source = set.source(name);
            List<String> before = source.config().dependencies();
            // A chain is counted whole: this lookup may wait for the longest one before it.
            long budget = source.config().timeout().toNanos()
                    + before.stream().mapToLong(budgets::get).max().orElse(0);
            CompletableFuture<LiveSource.Asked> future;
            if (before.isEmpty()) {
                future = ask(name, source, set.keyFor(name, user, projectId, instance, now, Map.of()));
            } else {
                future = CompletableFuture.allOf(before.stream().map(asked::get).toArray(CompletableFuture<?>[]::new))
                        .thenCompose(ignored -> {
                            Map<String, SourceAnswer> earlier = new LinkedHashMap<>();
                            for (String from : before) {
                                Optional<SourceAnswer> answer =
                                        asked.get(from).join().answer();
                                if (answer.isEmpty()) {
                                    return CompletableFuture.completedFuture(new LiveSource.Asked(
                                            Optional.empty(),
                                            SourceOutcome.ERROR,
                                            false,
                                            false,
                                            Optional.of(unavailableInput(source.config(), from))));
                                }
                                earlier.put(from, answer.get());
                            }
                            return ask(name, source, set.keyFor(name, user, projectId, instance, now, earlier));
                        });
            }
            budgets.put(name, budget);
            // The stage whenComplete returns completes after the time is kept, so a finished
            // future always has it.
            asked.put(
                    name, future.whenComplete((a, e) -> answeredAfterNanos.put(name, System.nanoTime() - startNanos)));
        }
    }

    private static String unavailableInput(SourceConfig config, String from) {
        return config.identity().viaSource().equals(Optional.of(from))
                ? "its key comes from " + config.identity().via().orElseThrow() + ", which is unavailable"
                : "its IRB number comes from " + config.irbNumber().orElseThrow() + ", which is unavailable";
    }

    private CompletableFuture<LiveSource.Asked> ask(String name, LiveSource source, Optional<SourceKey> key) {
        if (key.isEmpty()) {
            return CompletableFuture.completedFuture(LiveSource.Asked.fresh(source.unknownKey(), false));
        }
        keys.put(name, key.get());
        return source.ask(key.get());
    }

    /** Whether {@code variable} is one of the sources this decision started. */
    public boolean has(String variable) {
        return asked.containsKey(variable);
    }

    /**
     * The source's facts as plain values, waiting for them if need be.
     *
     * @throws Unavailable when the source could not answer in time and no stale answer may stand in
     */
    public Optional<Object> facts(String variable) {
        CompletableFuture<LiveSource.Asked> future = asked.get(variable);
        if (future == null) {
            return Optional.empty();
        }
        LiveSource source = set.source(variable);
        LiveSource.Asked result;
        long waitNanos = Math.min(
                deadline.remainingOf(SHARE_OF_DEADLINE).toNanos(),
                budgets.get(variable) - (System.nanoTime() - startNanos));
        try {
            result = future.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(variable);
            String why = "no answer within " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms";
            SourceKey key = keys.get(variable);
            result = key == null
                    ? new LiveSource.Asked(Optional.empty(), SourceOutcome.TIMEOUT, false, false, Optional.of(why))
                    : source.fallback(key, SourceOutcome.TIMEOUT, why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new LiveSource.Asked(
                    Optional.empty(), SourceOutcome.ERROR, false, false, Optional.of("interrupted"));
        } catch (ExecutionException e) {
            result = new LiveSource.Asked(
                    Optional.empty(), SourceOutcome.ERROR, false, false, Optional.of(LiveSource.message(e)));
        }
        useKeySources(variable);
        uses.put(variable, use((System.nanoTime() - startNanos) / 1_000, result));
        if (result.answer().isEmpty()) {
            throw new Unavailable(variable + ": " + result.error().orElse("unavailable"));
        }
        return Optional.of(result.answer().get().facts());
    }

    /**
     * Enters the sources {@code variable}'s key came from (nearest last) into {@link #uses}, as far
     * as the lookup of {@code variable} got with them: one a rule also reads is entered when read.
     */
    private void useKeySources(String variable) {
        for (String from : set.source(variable).config().dependencies()) {
            useKeySource(from);
        }
    }

    private void useKeySource(String from) {
        if (uses.containsKey(from)) {
            return; // a source in uses has its own key sources entered before it
        }
        useKeySources(from);
        CompletableFuture<LiveSource.Asked> future = asked.get(from);
        if (!future.isDone()) {
            // The lookup keyed by it was given up waiting for this one: no stale answer of it
            // stood in, since nothing was asked with one.
            long waited = System.nanoTime() - startNanos;
            abandon(from);
            uses.put(
                    from,
                    new SourceUse(
                            waited / 1_000,
                            false,
                            false,
                            SourceOutcome.TIMEOUT.label(),
                            Optional.of("no answer within " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms")));
            return;
        }
        LiveSource.Asked result;
        try {
            result = future.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            result = new LiveSource.Asked(
                    Optional.empty(), SourceOutcome.ERROR, false, false, Optional.of(LiveSource.message(e)));
        }
        uses.put(from, use(answeredAfterNanos.getOrDefault(from, 0L) / 1_000, result));
    }

    private void abandon(String name) {
        if (abandoned.add(name)) {
            set.source(name).waitAbandoned();
        }
    }

    private static SourceUse use(long latencyMicros, LiveSource.Asked result) {
        return new SourceUse(
                latencyMicros, result.cached(), result.stale(), result.outcome().label(), result.error());
    }

    /**
     * What each source asked so far gave, in the order read, a source that gave another's key
     * before that one: for the explanation.
     */
    public Map<String, SourceUse> uses() {
        return uses;
    }

    /**
     * The sources whose facts (or the key they gave another source) are stale answers standing in
     * for a failed lookup.
     */
    public Set<String> stale() {
        Set<String> stale = new java.util.LinkedHashSet<>();
        uses.forEach((name, use) -> {
            if (use.stale()) {
                stale.add(name);
            }
        });
        return stale;
    }
}
