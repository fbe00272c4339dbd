package io.cdpaccess.db;

import io.cdpaccess.time.Poller;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Watches the embedded store's file while the service runs. A SQLite connection keeps using the
 * file it opened even after that file was deleted or replaced, so without this a deleted store
 * would go on taking decisions into a file nobody can read again, and the next start would find
 * no store. The watch compares the file's identity (device and inode) with the one opened, every
 * second and before handing out any connection; once it differs the store is lost for good:
 * every connection is refused (so every answer is 503 {@code 0} and the service is not ready),
 * and an ERROR line says what happened, until a restart. The WAL and index left at the path are
 * moved aside at once ({@link SqliteFile#setAsideLeftovers}): SQLite would pair them with a backup
 * restored there and corrupt it.
 *
 * <p>The same thread does the file's housekeeping: every {@link #HOUSEKEEPING_EVERY} it returns
 * freed pages to the file system ({@code PRAGMA incremental_vacuum}).
 */
final class StoreFileWatch implements AutoCloseable {

    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    static final Duration HOUSEKEEPING_EVERY = Duration.ofMinutes(10);

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(Database.class);

    private final SqliteFile sqlite;
    private final DataSource pool;
    private final Object opened;
    private final AtomicReference<Optional<String>> lost = new AtomicReference<>(Optional.empty());
    private final Poller poller;
    private long ticks;

    private StoreFileWatch(SqliteFile sqlite, DataSource pool, Object opened) {
        this.sqlite = sqlite;
        this.pool = pool;
        this.opened = opened;
        this.poller = Poller.start("cdp-access-store-watch", CHECK_EVERY, this::tick);
    }

    static StoreFileWatch start(SqliteFile sqlite, DataSource pool) {
        Object identity = sqlite.identity()
                .orElseThrow(() -> new StoreException("the store " + sqlite.file() + " vanished while it was opened"));
        return new StoreFileWatch(sqlite, pool, identity);
    }

    private void tick() {
        if (check() && ++ticks % (HOUSEKEEPING_EVERY.toMillis() / CHECK_EVERY.toMillis()) == 0) {
            housekeeping();
        }
    }

    Optional<String> lost() {
        return lost.get();
    }

    /** Compares the file with the one opened; true while it is the same. */
    boolean check() {
        if (lost.get().isPresent()) {
            return false;
        }
        Optional<Object> now = sqlite.identity();
        if (now.isPresent() && now.get().equals(opened)) {
            return true;
        }
        String what = now.isEmpty() ? "was deleted" : "was replaced by another file";
        String message = "the store " + sqlite.file() + " " + what + " while serving; answering 503 and not ready"
                + " until restarted (restore the file from a backup first)";
        if (lost.compareAndSet(Optional.empty(), Optional.of(message))) {
            // At once, before anything opens the path again: the lost file's WAL must not meet its successor.
            java.util.List<String> aside = sqlite.setAsideLeftovers();
            LOG.error(message + (aside.isEmpty() ? "" : "; the lost file's WAL and index are now " + aside));
        }
        return false;
    }

    private void housekeeping() {
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.execute("PRAGMA incremental_vacuum");
        } catch (SQLException e) {
            LOG.warn("store housekeeping (incremental_vacuum) failed, will retry: {}", e.getMessage());
        }
    }

    /**
     * {@code pool}, refusing every connection once the store is lost; each connection handed out
     * takes its transactions in turn through {@code writers}.
     */
    DataSource guard(DataSource pool, SqliteWriters writers) {
        return new Guarded(pool, writers);
    }

    @Override
    public void close() {
        poller.close();
    }

    private final class Guarded implements DataSource {
        private final DataSource pool;
        private final SqliteWriters writers;

        Guarded(DataSource pool, SqliteWriters writers) {
            this.pool = pool;
            this.writers = writers;
        }

        private void requireIntact() throws SQLException {
            if (!check()) {
                throw new SQLNonTransientConnectionException(lost.get().orElse("the store is lost"), "08006");
            }
        }

        @Override
        public Connection getConnection() throws SQLException {
            requireIntact();
            return writers.wrap(pool.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            requireIntact();
            return writers.wrap(pool.getConnection(username, password));
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pool.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pool.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(this) || pool.isWrapperFor(iface);
        }
    }
}
