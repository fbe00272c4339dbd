package io.cdpaccess.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One SQLite transaction at a time in this process, in arrival order. SQLite has one writer per
 * file; left to its busy handler, writers of one process poll for the lock with growing sleeps,
 * and under contention one of them can starve past its busy timeout while the others take turns.
 * Here each connection entering a transaction ({@code setAutoCommit(false)}, which sqlite-jdbc
 * turns into {@code BEGIN IMMEDIATE}) first waits, at most the busy timeout, for a fair permit,
 * and gives it back when the transaction ends or the connection is closed. Other processes (the
 * CLI while {@code serve} runs) still meet at the file lock, through the busy timeout.
 */
final class SqliteWriters {

    private final Semaphore permit = new Semaphore(1, true);
    private final Duration busyTimeout;

    SqliteWriters(Duration busyTimeout) {
        this.busyTimeout = busyTimeout;
    }

    /** {@code connection}, taking the permit for each of its transactions. */
    Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, new Handler(connection));
    }

    private final class Handler implements InvocationHandler {
        private final Connection connection;
        private boolean holding;

        Handler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("setAutoCommit") && !((Boolean) args[0]) && !holding) {
                acquire();
                try {
                    connection.setAutoCommit(false);
                } catch (SQLException | RuntimeException e) {
                    resetAfterFailedBegin(e);
                    release();
                    throw e;
                }
                return null;
            }
            if (name.equals("unwrap") && ((Class<?>) args[0]).isInstance(proxy)) {
                return proxy;
            }
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (holding && (name.equals("close") || (name.equals("setAutoCommit") && (Boolean) args[0]))) {
                    release();
                }
            }
        }

        /**
         * sqlite-jdbc counts the connection as in manual-commit mode as soon as it tries
         * {@code BEGIN}, also when {@code BEGIN} failed (busy): left so, its next user's commit
         * and rollback would fail with "no transaction is active". Setting autocommit back resets
         * the flag (and then fails to commit nothing, which is expected).
         */
        private void resetAfterFailedBegin(Exception cause) {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException expected) {
                cause.addSuppressed(expected);
            }
        }

        private void acquire() throws SQLException {
            try {
                if (!permit.tryAcquire(busyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new SQLException(
                            "[SQLITE_BUSY] another transaction of this process held the store for "
                                    + busyTimeout.toMillis() + " ms",
                            "40001");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the store's write lock", e);
            }
            holding = true;
        }

        private void release() {
            holding = false;
            permit.release();
        }
    }
}
