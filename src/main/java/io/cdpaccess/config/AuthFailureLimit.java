package io.cdpaccess.config;

import java.time.Duration;

/**
 * How many failed authentications one caller (an IPv4 address, an IPv6 /64) may make per window
 * before its failing calls are answered late, and how late at most.
 */
public record AuthFailureLimit(int failures, Duration window, Duration maxDelay) {

    public static final AuthFailureLimit DEFAULT =
            new AuthFailureLimit(10, Duration.ofMinutes(1), Duration.ofSeconds(5));
}
