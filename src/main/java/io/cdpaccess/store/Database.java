package io.cdpaccess.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.cdpaccess.config.StoreConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
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
     */
    public static Database open(StoreConfig config, String poolName) {
        HikariConfig hikari = new HikariConfig();
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
            throw new StoreException("cannot open database " + description + ": " + rootMessage(e)
                    + "; check store.url, store.user and store.password", e);
        }
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            dataSource.close();
            throw new StoreException("cannot prepare database " + description + ": " + rootMessage(e), e);
        }
        return new Database(dataSource, description);
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

    static String describe(String url) {
        String withoutParams = url.split("[;?]", 2)[0];
        return withoutParams.replaceAll("//[^@/]*@", "//");
    }

    static String rootMessage(Throwable e) {
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
     * in a {@link SQLNonTransientConnectionException}. Left in the pool, such a connection is
     * handed out again and again: under steady load it is never idle long enough to be validated,
     * so every decision would fail even after the database is back.
     */
    private static final class EvictBrokenConnections implements SQLExceptionOverride {
        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            return e instanceof SQLNonTransientConnectionException
                    ? SQLExceptionOverride.Override.MUST_EVICT
                    : SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }
}
