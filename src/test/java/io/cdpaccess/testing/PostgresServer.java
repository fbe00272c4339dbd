package io.cdpaccess.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One PostgreSQL server per JVM (zonky's embedded binaries), listening on 127.0.0.1. Each test
 * database is owned by its own login role, so that migrations run with a database owner's rights
 * rather than a superuser's; cutting a database off takes the role's right to log in and ends its
 * sessions.
 */
final class PostgresServer implements AutoCloseable {

    private static final int ATTEMPTS = 3;
    private static final java.util.concurrent.atomic.AtomicInteger ACCOUNTS =
            new java.util.concurrent.atomic.AtomicInteger();

    private final EmbeddedPostgres server;
    private final int port;

    private PostgresServer(EmbeddedPostgres server, int port) {
        this.server = server;
        this.port = port;
    }

    static PostgresServer start(Path dir) {
        Exception last = null;
        // The port is free when chosen but could be taken before the server binds it: try again.
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = TestDatabases.freeLoopbackPort();
            Redirect log = Redirect.appendTo(dir.resolve("postgresql.log").toFile());
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setPort(port)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setDataDirectory(dir.resolve("data-" + attempt))
                        .setCleanDataDirectory(true)
                        .setRegisterShutdownHook(false)
                        .setOutputRedirector(log)
                        .setErrorRedirector(log)
                        .start();
                return new PostgresServer(pg, port);
            } catch (IOException | RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("cannot start embedded PostgreSQL; see " + dir.resolve("postgresql.log"), last);
    }

    TestDatabase create(String name) {
        String password = UUID.randomUUID().toString();
        admin(
                "CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'",
                // template0 and an explicit encoding: the database must hold any Unicode text,
                // whatever locale initdb happened to pick for template1.
                "CREATE DATABASE " + name + " OWNER " + name + " TEMPLATE template0 ENCODING 'UTF8'");
        return new TestDatabase(
                TestDatabases.Kind.POSTGRESQL,
                name,
                TestDatabases.config(url(name), name, password),
                () -> cutOff(name),
                privileges -> account(name, privileges));
    }

    /** A role that may log in to the database and holds {@code privileges} on its tables as they are now. */
    private TestDatabase.Account account(String database, String privileges) {
        String user = database + "_" + ACCOUNTS.incrementAndGet();
        String password = UUID.randomUUID().toString();
        admin(
                "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'",
                "GRANT CONNECT ON DATABASE " + database + " TO " + user);
        TestDatabases.execute(
                url(database),
                "postgres",
                "",
                "GRANT USAGE ON SCHEMA public TO " + user,
                "GRANT " + privileges + " ON ALL TABLES IN SCHEMA public TO " + user);
        return new TestDatabase.Account(user, password);
    }

    private TestDatabase.Outage cutOff(String role) {
        admin(
                "ALTER ROLE " + role + " NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
        return () -> admin("ALTER ROLE " + role + " LOGIN");
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private void admin(String... statements) {
        TestDatabases.execute(url("postgres"), "postgres", "", statements);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    @Override
    public String toString() {
        return "PostgreSQL on 127.0.0.1:" + port;
    }
}
