package io.cdpaccess.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cdpaccess.config.AuthFailureLimit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down callers that keep failing to authenticate, without ever refusing one that succeeds.
 *
 * <p>All of a REDCap host's calls come from one address (its web server or outbound proxy), so an
 * address-wide lock-out let one stale test instance with an old secret deny every researcher on
 * that host. Here only failures are counted, and only failing calls are held back: each caller
 * (an IPv4 address; an IPv6 /64, which one host can rotate through at will) has a token bucket
 * (Bucket4j) of {@code auth_failures.limit} per window. A failure within the allowance is
 * answered at once; beyond it, each failure takes its turn in the refilling bucket and is
 * answered when that turn comes, but never more than {@code max_delay} later. Turns queue only
 * while they are shorter than {@code max_delay} (with the defaults, 10 a minute and 5 s, a turn is
 * 6 s away, so every failure past the allowance simply waits 5 s): a guesser with many
 * connections is slowed per connection, not stopped. The waiting is the caller's: the listener
 * holds no thread for it. Guessing itself is kept out by the secrets' 128 bits, not by this.
 * Buckets of quiet callers are dropped, and the number kept is bounded.
 */
public final class AuthFailureLimiter {

    private static final Logger log = LoggerFactory.getLogger(AuthFailureLimiter.class);

    private final Cache<InetAddress, Bucket> buckets;
    private final AuthFailureLimit limit;
    private final Clock clock;
    private final TimeMeter time;
    private final LongAdder failures;
    private final LongAdder slowed;
    /** Callers whose slowing was logged lately: one WARN per caller and window, not one per call. */
    private final Cache<InetAddress, Boolean> warned;

    public AuthFailureLimiter(AuthFailureLimit limit, Clock clock) {
        this(limit, clock, new LongAdder(), new LongAdder());
    }

    private AuthFailureLimiter(AuthFailureLimit limit, Clock clock, LongAdder failures, LongAdder slowed) {
        this.limit = limit;
        this.clock = clock;
        this.failures = failures;
        this.slowed = slowed;
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterAccess(limit.window().multipliedBy(2).plus(limit.maxDelay()))
                .build();
        this.warned = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(limit.window())
                .build();
    }

    /**
     * Counts one failed authentication from {@code caller}: empty within the allowance, else how
     * long its answer is to be held back (zero when {@code max_delay} is zero).
     */
    Optional<Duration> recordFailure(InetAddress caller) {
        InetAddress key = callerKey(caller);
        Bucket bucket = buckets.get(key, k -> newBucket());
        failures.increment();
        if (bucket.tryConsume(1)) {
            return Optional.empty();
        }
        long maxNanos = limit.maxDelay().toNanos();
        // Reserve this failure's turn: the bucket goes below zero, so concurrent failures queue
        // one refill interval apart instead of all waiting for the same next token.
        long turn = bucket.consumeIgnoringRateLimits(1);
        if (turn > maxNanos) {
            bucket.addTokens(1); // past the cap the turn is not kept: the queue stays at most max_delay long
            turn = maxNanos;
        }
        slowed.increment();
        if (warned.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
            log.warn(
                    "caller {}: more than {} failed authentications within {}; its failing calls are now answered"
                            + " up to {} late. Calls with the right secret are still decided; a REDCap with an old"
                            + " secret on that host?",
                    describe(key, caller),
                    limit.failures(),
                    limit.window(),
                    limit.maxDelay());
        }
        return Optional.of(Duration.ofNanos(turn));
    }

    /**
     * The limiter for a reloaded {@code auth_failures}: this one while the limit is the same (a
     * reload must not refill a guesser's bucket), else a new one. Either way the totals since
     * start carry on, so the meters that read this limiter keep counting across reloads.
     */
    AuthFailureLimiter withLimit(AuthFailureLimit newLimit) {
        return newLimit.equals(limit) ? this : new AuthFailureLimiter(newLimit, clock, failures, slowed);
    }

    /** Failed authentications counted since start. */
    public long failures() {
        return failures.sum();
    }

    /** Failed authentications beyond the allowance, answered late, since start. */
    public long slowed() {
        return slowed.sum();
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(limit.failures())
                        .refillGreedy(limit.failures(), limit.window())
                        .build())
                .withCustomTimePrecision(time)
                .build();
    }

    /** The unit one party controls: an IPv4 address, or the /64 an IPv6 address belongs to. */
    static InetAddress callerKey(InetAddress caller) {
        if (!(caller instanceof Inet6Address)) {
            return caller;
        }
        byte[] prefix = Arrays.copyOf(caller.getAddress(), 16);
        Arrays.fill(prefix, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String describe(InetAddress key, InetAddress caller) {
        return key.equals(caller) ? caller.getHostAddress() : key.getHostAddress() + "/64";
    }

    /** Bucket4j's clock, driven by the service's injected {@link Clock}. */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            java.time.Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
