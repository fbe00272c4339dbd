package io.cdpaccess.time;

import java.time.Duration;

/**
 * The time an answer may still take: started once per request, on one monotonic time base, and
 * handed to every step (deciding, recording) so that they all count against the same budget.
 * REDCap waits for an answer without any limit of its own, so every wait on the request path is
 * bounded by this.
 */
public final class Deadline {

    private final Ticker ticker;
    private final long startNanos;
    private final long budgetNanos;

    private Deadline(Ticker ticker, long startNanos, long budgetNanos) {
        this.ticker = ticker;
        this.startNanos = startNanos;
        this.budgetNanos = budgetNanos;
    }

    /** A deadline {@code budget} from now on {@code ticker}. */
    public static Deadline start(Ticker ticker, Duration budget) {
        return new Deadline(ticker, ticker.nanos(), budget.toNanos());
    }

    /**
     * A deadline that started {@code ago} before now on {@code ticker}: for a request whose first
     * byte arrived before it was handed over, which the budget counts from.
     */
    public static Deadline startedAgo(Ticker ticker, Duration budget, Duration ago) {
        return new Deadline(ticker, ticker.nanos() - Math.max(0, ago.toNanos()), budget.toNanos());
    }

    /** Time since the start. */
    public long elapsedNanos() {
        return ticker.nanos() - startNanos;
    }

    /** Time left, zero once passed. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, budgetNanos - elapsedNanos()));
    }

    /**
     * Time left before {@code share} of the budget is spent: for a step that must leave the rest to
     * the steps after it (fact lookups leave the decision's record time to commit).
     */
    public Duration remainingOf(double share) {
        return Duration.ofNanos(Math.max(0, (long) (budgetNanos * share) - elapsedNanos()));
    }

    public boolean passed() {
        return elapsedNanos() > budgetNanos;
    }
}
