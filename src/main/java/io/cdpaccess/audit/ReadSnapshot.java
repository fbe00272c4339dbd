package io.cdpaccess.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * One consistent view of the database for a read of many statements ({@code audit verify},
 * {@code audit export}): a chain started, or a purge batch committed, while the read runs is
 * then seen whole or not at all — never a record without its chain's start row, nor a gap
 * without the purge record that anchors it. On PostgreSQL and MariaDB a repeatable-read
 * transaction (which also lets PostgreSQL stream); on SQLite, whose transactions here begin
 * IMMEDIATE (the write lock, and so every answer), a deferred one begun by hand: a reader's
 * snapshot in WAL mode, which blocks no writer.
 */
final class ReadSnapshot implements AutoCloseable {

    private final Connection c;
    private final boolean sqlite;
    private final int isolation;

    private ReadSnapshot(Connection c) throws SQLException {
        this.c = c;
        this.sqlite = c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(Locale.ROOT)
                .contains("sqlite");
        this.isolation = c.getTransactionIsolation();
        if (sqlite) {
            execute("BEGIN DEFERRED");
        } else {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
        }
    }

    /** The connection to read through, inside the snapshot. */
    Connection connection() {
        return c;
    }

    /** Begins the snapshot on {@code c}; closing it ends it, changing nothing. */
    static ReadSnapshot begin(Connection c) throws SQLException {
        return new ReadSnapshot(c);
    }

    @Override
    public void close() throws SQLException {
        if (sqlite) {
            execute("ROLLBACK");
        } else {
            c.rollback();
            c.setAutoCommit(true);
            c.setTransactionIsolation(isolation);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
