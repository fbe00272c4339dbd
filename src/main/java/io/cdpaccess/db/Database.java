package io.cdpaccess.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.cdpaccess.config.StoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The service's own database: a bounded connection pool, migrated to the current schema on open.
 * SQLite (the embedded default, see {@link SqliteFile}), PostgreSQL and MariaDB all run the same
 * migrations.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource pool;
    private final DataSource dataSource;
    private final String description;
    private final Optional<StoreFileWatch> watch;

    private Database(HikariDataSource pool, DataSource dataSource, String description, Optional<StoreFileWatch> watch) {
        this.pool = pool;
        this.dataSource = dataSource;
        this.description = description;
        this.watch = watch;
    }

    /**
     * Opens the pool and applies pending migrations.
     *
     * @param poolName shows in thread names and pool metrics
     * @throws StoreException with a one-line, actionable message when the database is unreachable
     *     or set up in a way the service cannot work with
     */
    public static Database open(StoreConfig config, String poolName) {
        return open(config, poolName, Optional.empty());
    }

    /**
     * Opens the pool as {@link #open(StoreConfig, String)} does, publishing Hikari's own pool
     * meters ({@code hikaricp_connections_active}, {@code _pending}, {@code _timeout_total}, acquire
     * and usage times; label {@code pool}) to {@code meters}; they are removed when the pool closes.
     */
    public static Database open(StoreConfig config, String poolName, MeterRegistry meters) {
        return open(config, poolName, Optional.of(meters));
    }

    private static Database open(StoreConfig config, String poolName, Optional<MeterRegistry> meters) {
        try {
            return opened(config, poolName, meters);
        } catch (RuntimeException e) {
            // Drivers quote the URL they could not use, password and all.
            throw PasswordMask.of(config).apply(e);
        }
    }

    private static Database opened(StoreConfig config, String poolName, Optional<MeterRegistry> meters) {
        HikariConfig hikari = new HikariConfig();
        meters.ifPresent(m -> hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(m)));
        hikari.setPoolName(poolName);
        hikari.setJdbcUrl(config.url());
        if (!config.user().isEmpty()) {
            hikari.setUsername(config.user());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password().reveal());
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        // Every wait is bounded: a hung database must turn into a 503 within the deadline,
        // not into a request thread stuck forever.
        hikari.setConnectionTimeout(3_000);
        hikari.setValidationTimeout(1_000);
        hikari.setInitializationFailTimeout(10_000);
        hikari.setAutoCommit(true);
        hikari.setExceptionOverride(new EvictBrokenConnections());
        String description = describe(config.url());
        if (!SqliteFile.names(config.url())) {
            return migrated(hikari, description, Optional.empty());
        }
        SqliteFile sqlite = SqliteFile.of(config.url(), config.busyTimeout());
        hikari.setDataSourceProperties(sqlite.connectionProperties());
        useForNativeLibrary(sqlite.file().getParent());
        return sqlite.prepare(() -> migrated(hikari, description, Optional.of(sqlite)));
    }

    /**
     * The embedded store's files named by {@code url}: the database, its WAL and shared-memory
     * index, and the marker that shows a store was created; none for a server database.
     */
    public static List<Path> embeddedFiles(String url) {
        if (!SqliteFile.names(url)) {
            return List.of();
        }
        SqliteFile sqlite = SqliteFile.of(url, java.time.Duration.ZERO);
        List<Path> files = new java.util.ArrayList<>(sqlite.files());
        files.add(sqlite.marker());
        return files;
    }

    /**
     * sqlite-jdbc unpacks its native library into {@code org.sqlite.tmpdir}, by default
     * {@code java.io.tmpdir}: a {@code noexec} or private {@code /tmp} would stop the service from
     * starting. The data directory is the service's own, owner-only, and always there.
     */
    private static void useForNativeLibrary(Path dataDir) {
        if (System.getProperty("org.sqlite.tmpdir") == null) {
            System.setProperty("org.sqlite.tmpdir", dataDir.toString());
        }
    }

    private static Database migrated(HikariConfig hikari, String description, Optional<SqliteFile> sqlite) {
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StoreException(
                    "cannot open database " + description + ": " + rootMessage(e)
                            + "; check store.url, store.user and store.password",
                    e);
        }
        try {
            requireExactText(dataSource, description);
            // Before Flyway: a file made by something else must be refused for its settings, with the
            // command that converts it, not for its tables by Flyway (or migrated first, then refused).
            sqlite.ifPresent(file -> file.verify(dataSource));
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("clob", largeType(dataSource, false), "blob", largeType(dataSource, true)))
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            if (sqlite.isEmpty()) {
                return new Database(dataSource, dataSource, description, Optional.empty());
            }
            SqliteFile file = sqlite.get();
            file.enforceDeclaredWidths(dataSource);
            file.markOpened();
            StoreFileWatch watch = StoreFileWatch.start(file, dataSource);
            DataSource guarded = watch.guard(dataSource, new SqliteWriters(file.busyTimeout()));
            return new Database(dataSource, guarded, description, Optional.of(watch));
        } catch (FlywayException e) {
            dataSource.close();
            throw new StoreException("cannot prepare database " + description + ": " + rootMessage(e), e);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * The type for unbounded text or bytes (explanations): the one spelling each database accepts.
     * PostgreSQL and SQLite have no length limit on {@code TEXT} and {@code BYTEA}/{@code BLOB},
     * stored inline (SQLite) or TOASTed (PostgreSQL).
     */
    private static String largeType(DataSource dataSource, boolean binary) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("mariadb") || product.contains("mysql")) {
                return binary ? "LONGBLOB" : "LONGTEXT";
            }
            if (binary) {
                return product.contains("postgres") ? "BYTEA" : "BLOB";
            }
            return "TEXT";
        } catch (SQLException e) {
            throw new StoreException("cannot prepare database: " + rootMessage(e), e);
        }
    }

    /**
     * On MariaDB and MySQL, text is stored and compared as the database's collation says, and
     * the usual defaults would break the service quietly: under a case- or accent-insensitive
     * collation SQL takes "muller" and "müller" for one user while the snapshot keeps them apart
     * (blocking one finds the other's block and blocks nobody), and without utf8mb4 a username
     * outside the Basic Multilingual Plane cannot be stored at all. Checked before migrating, so
     * that fixing a new database takes one {@code ALTER DATABASE}.
     */
    private static void requireExactText(DataSource dataSource, String description) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (!product.contains("mariadb") && !product.contains("mysql")) {
                return;
            }
            String collation;
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT COALESCE("
                                    + "(SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                                    + "AND table_name = 'grants' AND column_name = 'username'), "
                                    + "(SELECT default_collation_name FROM information_schema.schemata WHERE schema_name = DATABASE()))");
                    ResultSet rs = ps.executeQuery()) {
                collation = rs.next() ? rs.getString(1) : null;
            }
            if (collation == null) {
                throw new StoreException("store.url " + description + " names no database; add the database name");
            }
            if (!collation.startsWith("utf8mb4_") || !collation.endsWith("_bin")) {
                throw new StoreException("database " + description + " stores text as " + collation
                        + "; cdp-access needs CHARACTER SET utf8mb4 COLLATE utf8mb4_bin (create the database with it,"
                        + " or convert its tables)");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot prepare database " + description + ": " + rootMessage(e), e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Why the store can no longer be used until the service restarts: its file was deleted or
     * replaced while serving (the embedded store only). Every connection is refused meanwhile.
     */
    public Optional<String> lost() {
        return watch.flatMap(StoreFileWatch::lost);
    }

    /** The JDBC URL without credentials or parameters, for messages and the startup banner. */
    public String description() {
        return description;
    }

    public static String describe(String url) {
        String withoutParams = url.split("[;?]", 2)[0];
        return withoutParams.replaceAll("//[^@/]*@", "//");
    }

    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    @Override
    public void close() {
        watch.ifPresent(StoreFileWatch::close);
        pool.close();
    }

    /**
     * Drops a pooled connection whose driver says it is dead. Hikari recognises dead connections
     * by SQLState class 08 and a few vendor codes; a connection to a dropped PostgreSQL or MariaDB
     * server may instead fail with a {@link SQLNonTransientConnectionException} or over an
     * {@link java.io.IOException}, and a SQLite connection whose file failed reports an I/O error,
     * corruption, a file it cannot open or one that is not a database, or that the file moved.
     * Left in the pool, such a connection is handed out again and again: under steady load it is
     * never idle long enough to be validated, so every decision would fail even after the
     * database is back.
     */
    static final class EvictBrokenConnections implements SQLExceptionOverride {
        /** SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_NOTADB (primary result codes). */
        private static final java.util.Set<Integer> SQLITE_FILE_FAILED = java.util.Set.of(10, 11, 14, 26);
        /** SQLITE_READONLY_DBMOVED (an extended result code). */
        private static final int SQLITE_READONLY_DBMOVED = 1032;

        @java.lang.Override // a plain @Override would name SQLExceptionOverride.Override here
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
                if (t instanceof SQLNonTransientConnectionException
                        || t instanceof java.io.IOException
                        || (t instanceof org.sqlite.SQLiteException s && fileFailed(s.getResultCode().code))) {
                    return SQLExceptionOverride.Override.MUST_EVICT;
                }
            }
            return SQLExceptionOverride.Override.CONTINUE_EVICT;
        }

        private static boolean fileFailed(int code) {
            return SQLITE_FILE_FAILED.contains(code & 0xff) || code == SQLITE_READONLY_DBMOVED;
        }
    }
}
