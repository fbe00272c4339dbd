package io.cdpaccess.audit;

/** What a {@link GroupCommit} writer counts, read-only: for the metrics. */
public interface CommitCounters {

    /** Records and corrections waiting for the writer. */
    int queueDepth();

    /** Transactions the writer attempted since start, failed ones included. */
    long commits();

    /** Time those transactions took, in nanoseconds. */
    long commitNanos();

    /** Transactions that failed, each failing every append in it. */
    long failedCommits();

    /** Records committed since start (corrections not counted). */
    long recordsWritten();
}
