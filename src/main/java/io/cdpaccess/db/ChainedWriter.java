package io.cdpaccess.db;

import io.cdpaccess.chain.Chain;
import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.ids.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One writer's chain of a {@link ChainedTable} for this process run: records are appended inside
 * the writer's own transactions, one transaction at a time, each linked to the one before.
 *
 * <p>The chain starts with the first transaction that commits a record (a process that writes
 * nothing starts none). A transaction that rolls back takes its links with it; one that fails
 * may or may not have committed (a connection lost during the commit), so the next one first
 * reads the chain's head back from the table.
 */
public final class ChainedWriter {

    /** Appends records in the transaction of a {@link #write}. */
    public interface Appender {
        /** Inserts records of these stored values, in order, each linked to the one before. */
        void append(List<? extends List<?>> records) throws SQLException;
    }

    /** Work in a transaction that may append records. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection tx, Appender appender) throws SQLException;
    }

    private final ChainedTable table;
    private final String writer;
    private final Clock clock;

    /** Guarded by this: null until the chain's start row committed. */
    private Chain chain;

    private boolean uncertain;

    /**
     * @param writer who writes, as the chain's start row names it (process, role, account)
     */
    public ChainedWriter(ChainedTable table, String writer, Clock clock) {
        this.table = table;
        this.writer = writer;
        this.clock = clock;
    }

    /** The head of this run's chain as committed, empty before its first record. */
    public synchronized Optional<ChainHead> head() {
        return Optional.ofNullable(chain).map(Chain::head);
    }

    /**
     * This process as a chain's start row names its writer: the role ({@code server}, {@code cli}),
     * the process id and the operating-system account, and who ran it through {@code sudo}.
     */
    public static String thisProcess(String role) {
        String sudoUser = System.getenv("SUDO_USER");
        return role + " pid " + ProcessHandle.current().pid() + " as " + System.getProperty("user.name")
                + (sudoUser == null || sudoUser.isBlank() ? "" : " (sudo by " + sudoUser + ")")
                + loginUid().map(uid -> " login uid " + uid).orElse("");
    }

    /**
     * The uid the person logged in with (Linux's audit login uid), which {@code su} and {@code
     * sudo} keep; empty where there is none (a service started by init, another system).
     */
    static Optional<String> loginUid() {
        try {
            String uid = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/loginuid"))
                    .strip();
            return uid.matches("\\d{1,10}") && !uid.equals("4294967295") ? Optional.of(uid) : Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs {@code work} in one transaction on {@code c}, committed when {@code commit} accepts its
     * result, as {@link Jdbc#inTransaction} does; no other transaction of this writer runs
     * meanwhile.
     */
    public synchronized <T> T write(Connection c, Work<T> work, Predicate<? super T> commit) throws SQLException {
        Chain before = chain;
        Optional<ChainHead> head = Optional.ofNullable(chain).map(Chain::head);
        boolean[] committed = {false};
        try {
            T result = Jdbc.inTransaction(
                    c,
                    tx -> {
                        if (uncertain) {
                            resync(tx);
                        }
                        return work.run(tx, values -> append(tx, values));
                    },
                    r -> committed[0] = commit.test(r));
            if (!committed[0]) {
                rollBack(before, head);
            }
            uncertain = false;
            return result;
        } catch (SQLException | RuntimeException e) {
            rollBack(before, head);
            uncertain = true;
            throw e;
        }
    }

    private void rollBack(Chain before, Optional<ChainHead> head) {
        chain = before;
        if (before != null) {
            before.reset(head.orElseThrow());
        }
    }

    private void append(Connection tx, List<? extends List<?>> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        if (chain == null) {
            chain = AuditChains.start(tx, table, Ids.next(clock), clock, writer);
        }
        try (PreparedStatement ps = tx.prepareStatement(table.insertSql())) {
            for (List<?> values : records) {
                table.bind(ps, values, chain.append(values));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** After a failed commit: the head as the table has it, or no chain if its start was lost. */
    private void resync(Connection tx) throws SQLException {
        if (chain != null) {
            Optional<ChainHead> stored =
                    AuditChains.head(tx, table, chain.head().chainId());
            if (stored.isEmpty()) {
                chain = null;
            } else {
                chain.reset(stored.get());
            }
        }
    }
}
