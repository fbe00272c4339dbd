package io.cdpaccess.config;

import java.time.Duration;

/**
 * How many failed authentications one address may make per window before it is answered 429
 * until the window refills.
 */
public record AuthFailureLimit(int failures, Duration window) {

    public static final AuthFailureLimit DEFAULT = new AuthFailureLimit(10, Duration.ofMinutes(1));
}
