package io.cdpaccess.time;

/**
 * A monotonic time source in nanoseconds, for measuring durations (deadlines, latencies), which
 * wall-clock time cannot do reliably: {@link java.time.Clock} may jump. Injected, so that tests
 * can pin it.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
