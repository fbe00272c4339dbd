package io.cdpaccess.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.cdpaccess.config.StoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The service's own database: a bounded connection pool, migrated to the current schema on open.
 * H2 (the embedded default), PostgreSQL and MariaDB all run the same migrations.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final String description;

    private Database(HikariDataSource dataSource, String description) {
        this.dataSource = dataSource;
        this.description = description;
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
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("clob", largeTextType(dataSource)))
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            dataSource.close();
            throw new StoreException("cannot prepare database " + description + ": " + rootMessage(e), e);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, description);
    }

    /** The type for unbounded text (JSON explanations): the one spelling each database accepts. */
    private static String largeTextType(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("mariadb") || product.contains("mysql")) {
                return "LONGTEXT";
            }
            return product.contains("postgres") ? "TEXT" : "CLOB";
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
        dataSource.close();
    }

    /**
     * Drops a pooled connection whose driver says it is dead. Hikari recognises dead connections
     * by SQLState class 08 and a few vendor codes; H2 reports a closed database as 90121 or 90098
     * in a {@link SQLNonTransientConnectionException}, and a dropped TCP connection to an H2
     * server as 90067 or 90028 (over an {@link java.io.IOException}). Left in the pool, such a
     * connection is handed out again and again: under steady load it is never idle long enough to
     * be validated, so every decision would fail even after the database is back.
     */
    static final class EvictBrokenConnections implements SQLExceptionOverride {
        @java.lang.Override // a plain @Override would name SQLExceptionOverride.Override here
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
                if (t instanceof SQLNonTransientConnectionException
                        || t instanceof java.io.IOException
                        || (t instanceof SQLException s
                                && ("90067".equals(s.getSQLState()) || "90028".equals(s.getSQLState())))) {
                    return SQLExceptionOverride.Override.MUST_EVICT;
                }
            }
            return SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }
}
