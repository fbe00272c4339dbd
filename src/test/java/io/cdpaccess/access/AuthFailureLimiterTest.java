package io.cdpaccess.access;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.config.AuthFailureLimit;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.TestClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Failures beyond the allowance are answered late, each in its turn, never later than max_delay. */
class AuthFailureLimiterTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-12-02T09:00:00Z"));

    @Test
    void failuresBeyondTheAllowanceTakeTurnsInTheRefillUpToTheCap() throws Exception {
        // 3 per minute: one token every 20 s.
        AuthFailureLimiter limiter =
                new AuthFailureLimiter(new AuthFailureLimit(3, Duration.ofMinutes(1), Duration.ofSeconds(50)), clock);
        InetAddress caller = InetAddress.getByName("192.0.2.7");

        List<Optional<Duration>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(limiter.recordFailure(caller));
        }

        assertThat(answers.subList(0, 3)).containsOnly(Optional.empty());
        // Concurrent guesses queue one refill apart instead of all getting the next token...
        assertThat(answers.get(3)).contains(Duration.ofSeconds(20));
        assertThat(answers.get(4)).contains(Duration.ofSeconds(40));
        // ...and the queue is never longer than max_delay.
        assertThat(answers.get(5)).contains(Duration.ofSeconds(50));
        assertThat(limiter.failures()).isEqualTo(6);
        assertThat(limiter.slowed()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(2));
        // Two turns were reserved; once they and the refill have passed, the allowance is back.
        assertThat(limiter.recordFailure(caller)).isEmpty();
    }

    @Test
    void anIpv6CallerIsCountedByItsSlash64() throws Exception {
        AuthFailureLimiter limiter =
                new AuthFailureLimiter(new AuthFailureLimit(2, Duration.ofHours(1), Duration.ofSeconds(1)), clock);

        assertThat(limiter.recordFailure(InetAddress.getByName("2001:db8:0:7::1")))
                .isEmpty();
        assertThat(limiter.recordFailure(InetAddress.getByName("2001:db8:0:7:ffff:1:2:3")))
                .isEmpty();
        // A third address in the same /64: the same party, whose allowance is used up.
        assertThat(limiter.recordFailure(InetAddress.getByName("2001:db8:0:7::abcd")))
                .isPresent();
        // The next /64 and an IPv4 caller are others.
        assertThat(limiter.recordFailure(InetAddress.getByName("2001:db8:0:8::1")))
                .isEmpty();
        assertThat(limiter.recordFailure(InetAddress.getByName("192.0.2.7"))).isEmpty();
        assertThat(AuthFailureLimiter.callerKey(InetAddress.getByName("2001:db8:0:7:1:2:3:4")))
                .isEqualTo(InetAddress.getByName("2001:db8:0:7::"));
    }

    @Test
    void aZeroMaxDelayStillCountsTheCallerAsSlowedButAnswersAtOnce() throws Exception {
        AuthFailureLimiter limiter =
                new AuthFailureLimiter(new AuthFailureLimit(1, Duration.ofHours(1), Duration.ZERO), clock);
        InetAddress caller = InetAddress.getByName("192.0.2.8");

        assertThat(limiter.recordFailure(caller)).isEmpty();
        assertThat(limiter.recordFailure(caller)).contains(Duration.ZERO);
        assertThat(limiter.slowed()).isEqualTo(1);
    }

    @Test
    void theOperatorIsToldOncePerCallerAndWindowNotOncePerCall() throws Exception {
        AuthFailureLimiter limiter =
                new AuthFailureLimiter(new AuthFailureLimit(1, Duration.ofHours(1), Duration.ofSeconds(1)), clock);
        try (CapturedLog log = CapturedLog.of(AuthFailureLimiter.class)) {
            for (int i = 0; i < 5; i++) {
                limiter.recordFailure(InetAddress.getByName("192.0.2.9"));
                limiter.recordFailure(InetAddress.getByName("2001:db8:0:9::" + (i + 1)));
            }

            assertThat(log.at(Level.WARN))
                    .hasSize(2)
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("caller 192.0.2.9: more than 1 failed authentications within PT1H")
                            .contains("Calls with the right secret are still decided"))
                    .anySatisfy(line -> assertThat(line).startsWith("caller 2001:db8:0:9:0:0:0:0/64:"));
        }
    }
}
