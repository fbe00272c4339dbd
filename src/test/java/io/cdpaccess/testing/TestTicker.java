package io.cdpaccess.testing;

import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A monotonic time source that moves only when a test moves it, to pin deadlines and latencies. */
public final class TestTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long nanos() {
        return nanos.get();
    }

    /** Moves time forward. */
    public void advance(Duration amount) {
        nanos.addAndGet(amount.toNanos());
    }

    /** A deadline that will not pass during a test: a minute on the system's own ticker. */
    public static Deadline generous() {
        return Deadline.start(Ticker.system(), Duration.ofMinutes(1));
    }

    /** A deadline that has already passed. */
    public static Deadline passed() {
        TestTicker ticker = new TestTicker();
        Deadline deadline = Deadline.start(ticker, Duration.ofMillis(1));
        ticker.advance(Duration.ofMillis(2));
        return deadline;
    }
}
