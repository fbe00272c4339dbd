package io.cdpaccess.testing;

import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One empty database handed out by {@link TestDatabases}: its connection settings, and a way to
 * take it away from its clients for a while.
 */
public final class TestDatabase {

    /** A database made unreachable by {@link #cutOff()}; closing it makes the database reachable again. */
    public interface Outage extends AutoCloseable {
        @Override
        void close();
    }

    private final TestDatabases.Kind kind;
    private final String name;
    private final StoreConfig config;
    /** Another account on the same database, for a client that must not use the owner's. */
    public record Account(String user, String password) {}

    private final Supplier<Outage> outage;
    private final Function<String, Account> accounts;

    TestDatabase(TestDatabases.Kind kind, String name, StoreConfig config, Supplier<Outage> outage) {
        this(kind, name, config, outage, privileges -> {
            throw new UnsupportedOperationException(
                    "extra accounts are made on MariaDB and PostgreSQL only, not " + kind);
        });
    }

    TestDatabase(
            TestDatabases.Kind kind,
            String name,
            StoreConfig config,
            Supplier<Outage> outage,
            Function<String, Account> accounts) {
        this.kind = kind;
        this.name = name;
        this.config = config;
        this.outage = outage;
        this.accounts = accounts;
    }

    public TestDatabases.Kind kind() {
        return kind;
    }

    /** The database's (and its user's) name, unique within the JVM. */
    public String name() {
        return name;
    }

    /** Settings for {@link Database#open}: URL, user, password and a small pool. */
    public StoreConfig config() {
        return config;
    }

    /** Opens a pool on this database, migrating it to the current schema. */
    public Database open(String poolName) {
        return Database.open(config, poolName);
    }

    /**
     * Makes the database unreachable for its clients, as if its server went down: open
     * connections are dropped and new ones refused until the returned outage is closed. The
     * server itself keeps running, so other test classes are not affected.
     */
    public Outage cutOff() {
        return outage.get();
    }

    /**
     * A new account holding only {@code privileges} (as in {@code GRANT SELECT ON db.*}) on this
     * database (on PostgreSQL: on the tables it has when asked): a read-only account a source should be given, or a writing one it should warn of.
     * {@link #cutOff()} does not reach it.
     */
    public Account account(String privileges) {
        return accounts.apply(privileges);
    }

    /**
     * Kills every connection of the database's owner but the one doing it, as a server restart
     * or a firewall would, from a connection of that account (no privilege needed): the owner's
     * pools then hold dead connections. Returns how many were killed.
     */
    public int killOwnersConnections() {
        String find = switch (kind) {
            case MARIADB -> "SELECT id FROM information_schema.processlist WHERE user = ? AND id <> CONNECTION_ID()";
            case POSTGRESQL -> "SELECT pid FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()";
            case SQLITE -> throw new UnsupportedOperationException("SQLite has no connections to kill");
        };
        try (Connection c = DriverManager.getConnection(
                        config.url(), config.user(), config.password().reveal());
                PreparedStatement ps = c.prepareStatement(find);
                Statement kill = c.createStatement()) {
            ps.setString(1, config.user());
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                kill.execute(
                        kind == TestDatabases.Kind.MARIADB
                                ? "KILL CONNECTION " + id
                                : "SELECT pg_terminate_backend(" + id + ")");
            }
            return ids.size();
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot kill the connections of " + config.user() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
