package io.cdpaccess.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Progress of a long operation (verify, export, purge, replay) on standard error: records done,
 * records per second and, when the total is known, time left; redrawn in place at most twice a
 * second, and only for a person at a terminal, so that scripts and pipes read clean output.
 */
final class Progress implements LongConsumer, AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(500);

    private final PrintWriter err;
    private final boolean shown;
    private final String what;
    private final OptionalLong total;
    private final Clock clock;
    private final long startMillis;
    private long lastShownMillis;
    private long done;
    private boolean drawn;

    Progress(PrintWriter err, boolean terminal, String what, OptionalLong total, Clock clock) {
        this.err = err;
        this.shown = terminal;
        this.what = what;
        this.total = total;
        this.clock = clock;
        this.startMillis = clock.millis();
        this.lastShownMillis = startMillis;
    }

    @Override
    public void accept(long recordsDone) {
        done = recordsDone;
        long now = clock.millis();
        if (shown && now - lastShownMillis >= EVERY.toMillis()) {
            lastShownMillis = now;
            err.print("\r" + line(now) + "   ");
            err.flush();
            drawn = true;
        }
    }

    /** The progress line as of {@code nowMillis}. */
    String line(long nowMillis) {
        double seconds = Math.max(0.001, (nowMillis - startMillis) / 1000.0);
        long rate = (long) (done / seconds);
        StringBuilder line = new StringBuilder(what).append(": ").append(String.format(Locale.ROOT, "%,d", done));
        total.ifPresent(t -> line.append(String.format(Locale.ROOT, " of %,d", t)));
        line.append(String.format(Locale.ROOT, " records, %,d/s", rate));
        if (total.isPresent() && rate > 0) {
            long left = Math.max(0, total.getAsLong() - done) / rate;
            line.append(", ")
                    .append(left >= 60 ? left / 60 + " min " + left % 60 + " s" : left + " s")
                    .append(" left");
        }
        return line.toString();
    }

    /** Clears the line, so that what the command prints next starts clean. */
    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(line(clock.millis()).length() + 3) + "\r");
            err.flush();
        }
    }
}
