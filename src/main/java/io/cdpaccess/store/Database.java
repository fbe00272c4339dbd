package io.cdpaccess.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.cdpaccess.config.StoreConfig;
import java.sql.Connection;
import java.sql.SQLException;
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
        hikari.setExceptionOverride(new SQLExceptionOverride() {
            @java.lang.Override // plain @Override would name SQLExceptionOverride.Override here
            public SQLExceptionOverride.Override adjudicate(SQLException e) {
                return evictBrokenConnections(e);
            }
        });
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

    /**
     * Hikari evicts a connection on SQL state 08xxx, but H2's client reports a dropped TCP
     * connection as 90067/90028; without eviction the pool would hand out the dead connection
     * forever and the service would never recover when the database comes back.
     */
    static SQLExceptionOverride.Override evictBrokenConnections(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return SQLExceptionOverride.Override.MUST_EVICT;
            }
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().equals("90067") || s.getSQLState().equals("90028"))) {
                return SQLExceptionOverride.Override.MUST_EVICT;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return SQLExceptionOverride.Override.CONTINUE_EVICT;
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
}
