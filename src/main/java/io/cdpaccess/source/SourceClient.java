package io.cdpaccess.source;

import java.util.Optional;

/**
 * One source kind's connection to its system (a directory, a database): asked with a key, it
 * answers that key's facts. It only reads, never migrates or writes.
 *
 * <p>Everything around it — the cache, the circuit breaker, sharing one lookup between concurrent
 * decisions, the deadline, metrics — is {@link LiveSource}'s job, so a client stays a plain,
 * blocking lookup. It must give up by itself after the source's {@code timeout} (a directory's
 * response timeout, a query timeout), so that a dead server does not pile up threads; it is
 * called from several threads at once.
 */
public interface SourceClient extends AutoCloseable {

    /**
     * The facts of {@code key}, as of {@code key.now()}.
     *
     * @throws SourceException when the source could not answer (down, refused, timed out, a
     *     malformed reply); its message is one line that names no secret
     */
    SourceAnswer lookup(SourceKey key) throws SourceException;

    /**
     * A warning for the log at start when the account this client uses can write (a read-only
     * account is asked for), else empty. Asked once; a failure to find out is no warning.
     */
    default Optional<String> writeAccessWarning() {
        return Optional.empty();
    }

    /**
     * Whether the answers are current: for a client that serves a copy it loaded (a roster file),
     * stale while that copy is older than the one there is now. Cheap: read on every lookup of a
     * source that {@linkplain SourceKind#answersFromMemory answers from memory}, and at scrapes.
     */
    default SourceHealth health() {
        return SourceHealth.CURRENT;
    }

    /** Releases connections; lookups after this fail. */
    @Override
    void close();
}
