package io.cdpaccess.time;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task run again and again, a fixed delay apart, on a daemon thread of its own: how a running
 * server learns of changes made elsewhere (the store's snapshot, the policy file).
 *
 * <p>A scheduled task that throws is never run again, and nothing says so: revocations would stop
 * reaching the server with only a stale timestamp to show. So a task's unexpected exception is
 * logged and the next run happens as planned; an {@link Error} (out of memory, a class missing
 * because the jar was replaced) stops the poller, is logged as an ERROR, and {@link #running()}
 * turns false, which readiness reports. Tasks handle their expected failures (a store that is
 * down) themselves.
 */
public final class Poller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Poller.class);

    private final String name;
    private final ScheduledExecutorService executor;
    private final ScheduledFuture<?> future;

    private Poller(String name, Duration interval, Runnable task) {
        this.name = name;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        this.future = executor.scheduleWithFixedDelay(() -> runOnce(task), ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code task} every {@code interval} (first after one interval) on a thread named
     * {@code name}, until closed.
     */
    public static Poller start(String name, Duration interval, Runnable task) {
        return new Poller(name, interval, task);
    }

    private void runOnce(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{}: unexpected failure, trying again at the next interval: {}", name, e.toString());
        } catch (Error e) {
            log.error(
                    "{} stopped: {}; this server no longer sees changes and reports not-ready until restarted",
                    name,
                    e.toString(),
                    e);
            throw e;
        }
    }

    /** Whether the task still runs: false once it stopped on an error, or was closed. */
    public boolean running() {
        return !future.isDone();
    }

    @Override
    public void close() {
        future.cancel(true);
        executor.shutdownNow();
    }
}
