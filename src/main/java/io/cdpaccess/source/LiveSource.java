package io.cdpaccess.source;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.protocol.UnsafeText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One configured source at work: its client behind a cache, a circuit breaker, a bound on
 * lookups in flight, and one shared lookup per key for concurrent decisions.
 *
 * <p>An answer is used fresh for {@code cache.found} (or {@code cache.not_found}), and kept
 * {@code cache.stale_if_error} longer to stand in, marked stale, while the source fails. Never
 * past its {@link SourceAnswer#changesAt}: a cached "rights not expired" dies when they expire.
 * Asking never throws and never blocks: the future completes with what happened.
 */
public final class LiveSource implements AutoCloseable {

    /**
     * What asking gave.
     *
     * @param answer the facts, fresh or cached; empty when none could be had
     * @param outcome how the lookup ended ({@code FOUND} or {@code NOT_FOUND} for cached answers too)
     * @param cached whether the answer came from memory
     * @param stale whether it is an old answer standing in for a failed lookup
     * @param error why the source could not answer, when it could not
     */
    public record Asked(
            Optional<SourceAnswer> answer,
            SourceOutcome outcome,
            boolean cached,
            boolean stale,
            Optional<String> error) {

        static Asked fresh(SourceAnswer answer, boolean cached) {
            return new Asked(
                    Optional.of(answer),
                    answer.found() ? SourceOutcome.FOUND : SourceOutcome.NOT_FOUND,
                    cached,
                    false,
                    Optional.empty());
        }
    }

    /**
     * What operators see of a source.
     *
     * @param up whether the last lookup at the source succeeded (true before the first)
     * @param lastError the last failure, if any since start
     * @param lastLatencyMicros how long the last lookup at the source took
     */
    public record Status(
            boolean up,
            Optional<String> lastError,
            long lastLatencyMicros,
            long hits,
            long misses,
            long staleAnswers,
            String breaker) {}

    private record Cached(SourceAnswer answer, Instant freshUntil, Instant staleUntil) {}

    private final SourceConfig config;
    private final SourceKind kind;
    private final FactType.Struct facts;
    private final SourceClient client;
    private final Clock clock;
    private final Executor executor;
    private final SourceMetrics metrics;
    private final Cache<String, Cached> cache;
    private final boolean fromMemory;
    private final ConcurrentHashMap<String, CompletableFuture<SourceAnswer>> inflight = new ConcurrentHashMap<>();
    private final Semaphore permits;
    private final CircuitBreaker breaker;
    private final AtomicReference<Optional<String>> lastError = new AtomicReference<>(Optional.empty());
    private volatile boolean up = true;
    private volatile long lastLatencyMicros;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleAnswers = new LongAdder();

    LiveSource(
            SourceConfig config,
            SourceKind kind,
            SourceClient client,
            Clock clock,
            Executor executor,
            SourceMetrics metrics) {
        this.config = config;
        this.kind = kind;
        this.facts = kind.facts(config);
        this.client = client;
        this.clock = clock;
        this.executor = executor;
        this.metrics = metrics;
        this.permits = new Semaphore(config.maxConcurrent());
        this.breaker = new CircuitBreaker(clock);
        this.fromMemory = kind.answersFromMemory(config);
        // Upkeep (evictions, expiry) on the deciding thread, a few entries at a time: handed to the
        // common pool instead, it competed with decisions for the CPU and lengthened their tail.
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(config.cache().maxEntries())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfter(new Expiry<String, Cached>() {
                    @Override
                    public long expireAfterCreate(String key, Cached value, long currentTime) {
                        return untilStale(value);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Cached value, long currentTime, long currentDuration) {
                        return untilStale(value);
                    }

                    @Override
                    public long expireAfterRead(String key, Cached value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    private long untilStale(Cached value) {
        long nanos = Duration.between(clock.instant(), value.staleUntil()).toNanos();
        return Math.max(0, nanos);
    }

    public SourceConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The type of the source's variable. */
    public FactType.Struct facts() {
        return facts;
    }

    SourceKind kind() {
        return kind;
    }

    /** What the client answers for a key no lookup can be made for (its key fact was empty). */
    /** This source answering from no system, as {@link SourceSet#offline} describes. */
    LiveSource offline(Clock clock) {
        SourceClient nobody = new SourceClient() {
            @Override
            public SourceAnswer lookup(SourceKey key) {
                return kind.unknownKey();
            }

            @Override
            public void close() {}
        };
        return new LiveSource(config, kind, nobody, clock, Runnable::run, SourceMetrics.NONE);
    }

    SourceAnswer unknownKey() {
        return kind.unknownKey();
    }

    /** Asks the cache, else the source (one lookup per key at a time); the future always completes normally. */
    public CompletableFuture<Asked> ask(SourceKey key) {
        if (fromMemory) {
            return CompletableFuture.completedFuture(askInMemory(key));
        }
        String cacheKey = cacheKey(key);
        Cached cached = cache.getIfPresent(cacheKey);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.freshUntil())) {
            hits.increment();
            metrics.cache(name(), "hit");
            return CompletableFuture.completedFuture(Asked.fresh(cached.answer(), true));
        }
        misses.increment();
        metrics.cache(name(), "miss");
        if (!breaker.allow()) {
            metrics.lookup(name(), SourceOutcome.BREAKER_OPEN, 0);
            return CompletableFuture.completedFuture(fallback(
                    key,
                    SourceOutcome.BREAKER_OPEN,
                    "not asked: failed " + CircuitBreaker.FAILURES + " times in a row ("
                            + lastError.get().orElse("error") + ")"));
        }
        CompletableFuture<SourceAnswer> mine = new CompletableFuture<>();
        CompletableFuture<SourceAnswer> shared = inflight.putIfAbsent(cacheKey, mine);
        if (shared == null) {
            shared = mine;
            try {
                executor.execute(() -> lookUp(cacheKey, key, mine));
            } catch (RejectedExecutionException e) {
                inflight.remove(cacheKey, mine);
                mine.completeExceptionally(new SourceException("the service is shutting down"));
            }
        }
        return shared.handle((answer, failure) ->
                answer != null ? Asked.fresh(answer, false) : fallback(key, SourceOutcome.ERROR, message(failure)));
    }

    /**
     * A source that answers from memory, asked on this thread, neither cached nor behind the
     * breaker (see {@link SourceKind#answersFromMemory}). An answer from a copy older than the
     * system's is marked stale, with the reason, for the explanation and the decision's line.
     */
    private Asked askInMemory(SourceKey key) {
        long start = System.nanoTime();
        try {
            SourceAnswer answer = client.lookup(key);
            long nanos = System.nanoTime() - start;
            up = true;
            lastLatencyMicros = nanos / 1_000;
            SourceOutcome outcome = answer.found() ? SourceOutcome.FOUND : SourceOutcome.NOT_FOUND;
            metrics.lookup(name(), outcome, nanos);
            SourceHealth health = client.health();
            return new Asked(Optional.of(answer), outcome, false, health.stale(), health.reason());
        } catch (SourceException | RuntimeException e) {
            long nanos = System.nanoTime() - start;
            up = false;
            lastLatencyMicros = nanos / 1_000;
            lastError.set(Optional.of(message(e)));
            metrics.lookup(name(), SourceOutcome.ERROR, nanos);
            return new Asked(Optional.empty(), SourceOutcome.ERROR, false, false, Optional.of(message(e)));
        }
    }

    /**
     * What stands in when the source could not answer: a cached answer younger than its
     * {@code stale_if_error} (marked stale), else nothing.
     */
    public Asked fallback(SourceKey key, SourceOutcome outcome, String error) {
        Cached cached = cache.getIfPresent(cacheKey(key));
        if (cached != null && clock.instant().isBefore(cached.staleUntil())) {
            staleAnswers.increment();
            metrics.cache(name(), "stale");
            return new Asked(Optional.of(cached.answer()), outcome, true, true, Optional.of(error));
        }
        return new Asked(Optional.empty(), outcome, false, false, Optional.of(error));
    }

    /**
     * Counts a decision that stopped waiting for this source. Not a lookup: the one it waited for
     * (perhaps shared with other decisions) is counted once, by its own outcome, when it ends.
     */
    void waitAbandoned() {
        metrics.waitAbandoned(name());
    }

    private void lookUp(String cacheKey, SourceKey key, CompletableFuture<SourceAnswer> result) {
        long start = System.nanoTime();
        try {
            if (!permits.tryAcquire(config.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new SourceException("no free lookup slot within "
                        + config.timeout().toMillis() + " ms (max_concurrent " + config.maxConcurrent() + ")");
            }
            SourceAnswer answer;
            try {
                answer = client.lookup(key);
            } finally {
                permits.release();
            }
            long nanos = System.nanoTime() - start;
            remember(cacheKey, answer);
            breaker.succeeded();
            up = true;
            lastLatencyMicros = nanos / 1_000;
            metrics.lookup(name(), answer.found() ? SourceOutcome.FOUND : SourceOutcome.NOT_FOUND, nanos);
            // Out of the shared lookups before anyone hears the answer: a decision that comes
            // later reads the cache or starts a lookup of its own, never this finished one.
            inflight.remove(cacheKey, result);
            result.complete(answer);
        } catch (SourceException | RuntimeException e) {
            failed(cacheKey, start, e, result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(cacheKey, start, new SourceException("interrupted"), result);
        }
    }

    private void failed(String cacheKey, long start, Exception e, CompletableFuture<SourceAnswer> result) {
        long nanos = System.nanoTime() - start;
        breaker.failed();
        up = false;
        lastLatencyMicros = nanos / 1_000;
        lastError.set(Optional.of(message(e)));
        metrics.lookup(name(), SourceOutcome.ERROR, nanos);
        inflight.remove(cacheKey, result);
        result.completeExceptionally(e);
    }

    private void remember(String cacheKey, SourceAnswer answer) {
        Instant now = clock.instant();
        Duration ttl = answer.found() ? config.cache().found() : config.cache().notFound();
        Instant fresh = now.plus(ttl);
        Instant stale = fresh.plus(config.cache().staleIfError());
        if (answer.changesAt().isPresent()) {
            Instant changes = answer.changesAt().get();
            fresh = fresh.isAfter(changes) ? changes : fresh;
            stale = stale.isAfter(changes) ? changes : stale;
        }
        if (stale.isAfter(now)) {
            cache.put(cacheKey, new Cached(answer, fresh, stale));
        } else {
            cache.invalidate(cacheKey);
        }
    }

    /** Everything the answer may depend on, so that two keys never share one answer wrongly. */
    private String cacheKey(SourceKey key) {
        StringBuilder k = new StringBuilder(key.user());
        if (kind.perProject(config)) {
            k.append('\u0000').append(key.projectId());
        }
        if (kind.perInstance(config)) {
            k.append('\u0000').append(key.instance());
        }
        if (kind.perRedcapUser(config)) {
            k.append("\u0000redcap:").append(key.redcapUser());
        }
        key.irbNumber().ifPresent(irb -> k.append("\u0000irb:").append(irb));
        return k.toString();
    }

    /** One safe line: the source's message, else the exception's kind. */
    static String message(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        String text = t.getMessage() == null || !(t instanceof SourceException)
                ? t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
                : t.getMessage();
        return UnsafeText.escape(text.lines().findFirst().orElse(text));
    }

    public Status status() {
        return new Status(
                up,
                lastError.get(),
                lastLatencyMicros,
                hits.sum(),
                misses.sum(),
                staleAnswers.sum(),
                breaker.state().label());
    }

    /** Whether it answers from a copy in memory (see {@link SourceKind#answersFromMemory}). */
    public boolean answersFromMemory() {
        return fromMemory;
    }

    /** Whether its answers are current (see {@link SourceClient#health}). */
    public SourceHealth health() {
        return client.health();
    }

    /** Asks the source itself, bypassing the cache and the breaker: {@code sources test}. */
    public SourceAnswer lookUpNow(SourceKey key) throws SourceException {
        return client.lookup(key);
    }

    Optional<String> writeAccessWarning() {
        return client.writeAccessWarning();
    }

    @Override
    public void close() {
        client.close();
    }
}
