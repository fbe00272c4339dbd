package io.cdpaccess.testing;

import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
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
    private final Supplier<Outage> outage;

    TestDatabase(TestDatabases.Kind kind, String name, StoreConfig config, Supplier<Outage> outage) {
        this.kind = kind;
        this.name = name;
        this.config = config;
        this.outage = outage;
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

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
