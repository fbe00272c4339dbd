package io.cdpaccess.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cdpaccess.config.AuthFailureLimit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.net.InetAddress;
import java.time.Clock;

/**
 * Counts failed authentications per caller address (a token bucket each, Bucket4j) and locks an
 * address out with 429 once its bucket is empty, until it refills. Only failures consume tokens,
 * so a correctly configured REDCap is never slowed; once locked out, every request from the
 * address is refused without checking its secret, so guessing gains nothing. Buckets of quiet
 * addresses are dropped, and the number kept is bounded.
 */
final class AuthFailureLimiter {

    private final Cache<InetAddress, Bucket> buckets;
    private final AuthFailureLimit limit;
    private final TimeMeter time;

    AuthFailureLimiter(AuthFailureLimit limit, Clock clock) {
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
        buckets.get(address, a -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.failures())
                        .refillGreedy(limit.failures(), limit.window()).build())
                .withCustomTimePrecision(time)
                .build()).tryConsume(1);
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
