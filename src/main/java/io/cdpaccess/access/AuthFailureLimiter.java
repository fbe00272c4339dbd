package io.cdpaccess.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cdpaccess.config.AuthFailureLimit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts failed authentications per caller address (a token bucket each, Bucket4j) and locks an
 * address out with 429 once its bucket is empty, until it refills. Only failures consume tokens,
 * so a correctly configured REDCap is never slowed; once locked out, every request from the
 * address is refused without checking its secret, so guessing gains nothing. Buckets of quiet
 * addresses are dropped, and the number kept is bounded. It counts the failures it was told of
 * and the lock-outs they caused, for the metrics.
 */
public final class AuthFailureLimiter {

    private final Cache<InetAddress, Bucket> buckets;
    private final AuthFailureLimit limit;
    private final TimeMeter time;
    private final LongAdder failures = new LongAdder();
    private final LongAdder lockouts = new LongAdder();

    public AuthFailureLimiter(AuthFailureLimit limit, Clock clock) {
        this.limit = limit;
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterAccess(limit.window().multipliedBy(2))
                .build();
    }

    boolean lockedOut(InetAddress address) {
        Bucket bucket = buckets.getIfPresent(address);
        return bucket != null && bucket.getAvailableTokens() <= 0;
    }

    void recordFailure(InetAddress address) {
        ConsumptionProbe probe = buckets.get(
                        address,
                        a -> Bucket.builder()
                                .addLimit(Bandwidth.builder()
                                        .capacity(limit.failures())
                                        .refillGreedy(limit.failures(), limit.window())
                                        .build())
                                .withCustomTimePrecision(time)
                                .build())
                .tryConsumeAndReturnRemaining(1);
        failures.increment();
        if (probe.isConsumed() && probe.getRemainingTokens() == 0) {
            lockouts.increment(); // this failure took the last token: the address is locked out from now
        }
    }

    /** Failed authentications counted since start. */
    public long failures() {
        return failures.sum();
    }

    /** How many times an address was locked out since start. */
    public long lockouts() {
        return lockouts.sum();
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
