package io.cdpaccess.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UTC clock that moves only when a test moves it. Instants are kept to the millisecond, the
 * precision the store and the decision log record, so values read back compare equal.
 */
public final class TestClock extends Clock {

    private final AtomicReference<Instant> now;

    public TestClock(Instant start) {
        this.now = new AtomicReference<>(truncate(start));
    }

    /** Moves the clock forward and returns the new time. */
    public Instant advance(Duration amount) {
        return now.updateAndGet(t -> truncate(t.plus(amount)));
    }

    public void set(Instant instant) {
        now.set(truncate(instant));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("TestClock is UTC only");
    }

    private static Instant truncate(Instant instant) {
        return Instant.ofEpochMilli(instant.toEpochMilli());
    }
}
