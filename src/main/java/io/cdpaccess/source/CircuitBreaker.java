package io.cdpaccess.source;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops asking a source that keeps failing, so that a dead directory costs a decision
 * microseconds instead of the whole timeout: after {@link #FAILURES} failures in a row the
 * breaker opens; while open no lookup is made; when the open time is over one lookup (a probe)
 * is let through: success closes the breaker, failure opens it again for twice as long (up to
 * {@link #MAX_OPEN}). Thread-safe; time from the injected clock.
 */
final class CircuitBreaker {

    /** Consecutive failures that open the breaker. */
    static final int FAILURES = 5;

    static final Duration FIRST_OPEN = Duration.ofSeconds(5);
    static final Duration MAX_OPEN = Duration.ofMinutes(1);

    /** What operators see. */
    enum State {
        CLOSED,
        OPEN,
        HALF_OPEN;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Clock clock;
    private int failures;
    private Duration openFor = FIRST_OPEN;
    private Instant openUntil;
    private boolean probing;

    CircuitBreaker(Clock clock) {
        this.clock = clock;
    }

    /** Whether a lookup may go to the source now; when half-open, only the one probe may. */
    synchronized boolean allow() {
        if (openUntil == null) {
            return true;
        }
        if (probing || clock.instant().isBefore(openUntil)) {
            return false;
        }
        probing = true;
        return true;
    }

    synchronized void succeeded() {
        failures = 0;
        openUntil = null;
        openFor = FIRST_OPEN;
        probing = false;
    }

    synchronized void failed() {
        failures++;
        if (probing) {
            probing = false;
            openFor = openFor.multipliedBy(2).compareTo(MAX_OPEN) > 0 ? MAX_OPEN : openFor.multipliedBy(2);
            openUntil = clock.instant().plus(openFor);
        } else if (openUntil == null && failures >= FAILURES) {
            openUntil = clock.instant().plus(openFor);
        }
    }

    synchronized State state() {
        if (openUntil == null) {
            return State.CLOSED;
        }
        return probing || !clock.instant().isBefore(openUntil) ? State.HALF_OPEN : State.OPEN;
    }
}
