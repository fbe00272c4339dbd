package io.cdpaccess.meters;

import io.cdpaccess.audit.CommitCounters;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.GroupCommit;
import io.cdpaccess.ops.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.TimeUnit;

/**
 * The decision log's meters, read from its {@link GroupCommit} at each scrape. Every answer waits for
 * its row's commit, so the commit time and the queue in front of the writer are what to watch
 * when answers slow down; failed commits are answers turned into 503.
 */
public final class DecisionLogMeters {

    private DecisionLogMeters() {}

    /** Registers the meters of {@code log}; they read it for as long as the registry lives. */
    public static void register(Metrics metrics, DecisionLog decisionLog) {
        CommitCounters log = decisionLog.counters();
        Gauge.builder("cdp_access.decision_log.queue.depth", log, CommitCounters::queueDepth)
                .description("Decision records waiting to be committed (the queue holds " + GroupCommit.QUEUE_CAPACITY
                        + "; when full, answers are 503)")
                .register(metrics.registry());
        FunctionTimer.builder(
                        "cdp_access.decision_log.commit",
                        log,
                        CommitCounters::commits,
                        CommitCounters::commitNanos,
                        TimeUnit.NANOSECONDS)
                .description("Transactions of the decision log (group commits: one per batch of waiting answers)")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.decision_log.commit.failures", log, CommitCounters::failedCommits)
                .description("Decision log transactions that failed; every answer in them was 503")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.decision_log.rows", log, CommitCounters::recordsWritten)
                .description("Decision rows committed")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.decision_log.spooled", decisionLog, DecisionLog::spooled)
                .description("Records the store could not take, kept in the spool to be written late")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.decision_log.unrecorded", decisionLog, DecisionLog::unspoolable)
                .description("Records lost: the store failed and the spool was full (alert on any)")
                .register(metrics.registry());
    }
}
