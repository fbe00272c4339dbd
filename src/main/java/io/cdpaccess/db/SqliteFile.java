package io.cdpaccess.db;

import io.cdpaccess.files.OwnerOnly;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * The embedded store: one SQLite file, {@code store.db} in the data directory unless
 * {@code store.url} names another ({@code jdbc:sqlite:/path/to/file.db}).
 *
 * <p>Settings, on every pooled connection: WAL journal (readers never wait for the writer, the
 * CLI and {@code serve} share the file), {@code synchronous=FULL} (each commit is fsynced before
 * the commit returns, so before any answer that depends on it is written), foreign keys on, a busy
 * timeout shorter than the request deadline, and transactions begun {@code IMMEDIATE} (a
 * transaction that reads and then writes takes the write lock first, so it never fails with
 * {@code SQLITE_BUSY_SNAPSHOT} when another process wrote meanwhile). Connections never create
 * the file: a store deleted while serving is not silently re-created empty. {@link #verify}
 * reads every setting back.
 *
 * <p>Next to the file: {@code store.db-created}, written when the store was created (its
 * absence with a missing database means "no store yet", its presence "the store is gone"), and
 * {@code store.db-lock}, the file lock that keeps two processes from migrating a new file at
 * once (Flyway takes no lock on SQLite). Both, like the database and its WAL, are owner-only.
 */
final class SqliteFile {

    /** The pragmas set on every connection, and what each must read back as. */
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("journal_mode", "wal");
        EXPECTED.put("synchronous", "2"); // FULL
        EXPECTED.put("foreign_keys", "1");
        EXPECTED.put("auto_vacuum", "2"); // INCREMENTAL: freed pages go back to the file system
    }

    /** SQLITE_OPEN_READWRITE without SQLITE_OPEN_CREATE. */
    private static final String OPEN_EXISTING_READ_WRITE = "2";
    /** The WAL is cut back to this after a checkpoint, so that one burst does not leave it large for good. */
    static final long JOURNAL_SIZE_LIMIT = 4L * 1024 * 1024;

    private final Path file;
    private final Duration busyTimeout;

    private SqliteFile(Path file, Duration busyTimeout) {
        this.file = file;
        this.busyTimeout = busyTimeout;
    }

    static boolean names(String url) {
        return url.startsWith("jdbc:sqlite:");
    }

    /** The store file named by {@code url}, which must be a plain absolute path. */
    static SqliteFile of(String url, Duration busyTimeout) {
        String path = url.substring("jdbc:sqlite:".length());
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        if (path.isEmpty() || path.startsWith(":") || path.contains("?")) {
            throw new StoreException(
                    "store.url " + url
                            + " is not a SQLite file; use jdbc:sqlite:/path/to/store.db (no in-memory databases, no parameters)");
        }
        Path file = Path.of(path);
        if (!file.isAbsolute()) {
            throw new StoreException("store.url " + url + " names a relative path; use an absolute one");
        }
        return new SqliteFile(file.normalize(), busyTimeout);
    }

    Path file() {
        return file;
    }

    Duration busyTimeout() {
        return busyTimeout;
    }

    /** The database, its WAL and its shared-memory index, as SQLite names them. */
    List<Path> files() {
        return List.of(file, sibling("-wal"), sibling("-shm"));
    }

    Path marker() {
        return sibling("-created");
    }

    private Path sibling(String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** Driver properties: the per-connection settings above. */
    Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("open_mode", OPEN_EXISTING_READ_WRITE);
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "FULL");
        p.setProperty("foreign_keys", "true");
        p.setProperty("busy_timeout", Long.toString(busyTimeout.toMillis()));
        p.setProperty("transaction_mode", "IMMEDIATE");
        p.setProperty("journal_size_limit", Long.toString(JOURNAL_SIZE_LIMIT));
        return p;
    }

    /**
     * Makes sure there is a store to open: the existing file, or a new one when the directory
     * holds none and never did. Runs {@code migrate} under the migration lock.
     *
     * @throws StoreException when the store existed and is gone, or the file cannot be created
     */
    <T> T prepare(Callable<T> migrate) {
        try {
            OwnerOnly.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + file.getParent() + ": " + e.getMessage(), e);
        }
        // The JVM allows one lock per file and process; the monitor keeps this process's callers in line.
        synchronized (SqliteFile.class) {
            Path lockFile = sibling("-lock");
            try (FileChannel channel = openOwnerOnly(lockFile);
                    FileLock held = channel.lock()) {
                if (!held.isValid()) {
                    throw new StoreException("lost the lock on " + lockFile + " before migrating");
                }
                createIfNew();
                return migrate.call();
            } catch (IOException e) {
                throw new StoreException("cannot lock " + lockFile + ": " + e.getMessage(), e);
            } catch (StoreException | IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                throw new StoreException("cannot prepare the store " + file + ": " + Database.rootMessage(e), e);
            }
        }
    }

    private static FileChannel openOwnerOnly(Path path) throws IOException {
        if (!Files.exists(path)) {
            try {
                OwnerOnly.createFile(path);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process made it first
            }
        }
        return FileChannel.open(path, StandardOpenOption.WRITE);
    }

    private void createIfNew() throws IOException, SQLException {
        Path marker = marker();
        if (Files.exists(file)) {
            return; // its marker, if missing, is written once it opened as a store (markOpened)
        }
        if (Files.exists(marker)) {
            throw new StoreException("the store " + file + " is gone, but " + marker + " shows one was created there"
                    + " (an empty store would drop every grant): restore " + file.getFileName()
                    + " from a backup, or delete " + marker + " to start with an empty store");
        }
        OwnerOnly.createFile(file); // 0600; SQLite gives its -wal and -shm files the database's mode
        // auto_vacuum only takes on a database without tables, before it is in WAL mode.
        Properties first = new Properties();
        first.setProperty("open_mode", OPEN_EXISTING_READ_WRITE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, first);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA auto_vacuum = INCREMENTAL");
            s.execute("PRAGMA journal_mode = WAL");
        }
        writeMarker(marker);
    }

    /**
     * Writes the marker for a store that opened without one (created before markers existed, or
     * by a run stopped right after creating the file); only once it opened as a store, so that a
     * foreign file that was refused is not marked as one.
     */
    void markOpened() {
        Path marker = marker();
        if (!Files.exists(marker)) {
            try {
                writeMarker(marker);
            } catch (IOException e) {
                throw new StoreException("cannot write " + marker + ": " + e.getMessage(), e);
            }
        }
    }

    private static void writeMarker(Path marker) throws IOException {
        Path temp = marker.resolveSibling(marker.getFileName() + ".new");
        Files.deleteIfExists(temp);
        OwnerOnly.createFile(temp);
        Files.writeString(
                temp,
                "cdp-access created its store here. If the database next to this file is missing, restore it from a"
                        + " backup: an empty store would drop every grant.\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.SYNC);
        Files.move(temp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads every setting back on a pooled connection.
     *
     * @throws StoreException naming the first setting that did not take
     */
    void verify(DataSource dataSource) {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            for (Map.Entry<String, String> expected : EXPECTED.entrySet()) {
                String actual = pragma(s, expected.getKey());
                if (!expected.getValue().equalsIgnoreCase(actual)) {
                    throw new StoreException("the store " + file + " reports " + expected.getKey() + " = " + actual
                            + " where cdp-access needs " + expected.getValue() + unsettableHint(expected.getKey()));
                }
            }
            String busy = pragma(s, "busy_timeout");
            if (!Long.toString(busyTimeout.toMillis()).equals(busy)) {
                throw new StoreException("the store " + file + " reports busy_timeout = " + busy
                        + " where cdp-access set " + busyTimeout.toMillis());
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the settings of the store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * SQLite stores text of any length whatever a column declares; PostgreSQL and MariaDB refuse
     * text longer than its {@code VARCHAR(n)}. The same write must not succeed on one store and
     * fail on another, so on SQLite every declared width is enforced by a trigger, generated from
     * the declarations themselves (again on every start, so columns added by later migrations are
     * covered). The decision log is left out: its writer cuts every text to its column's width,
     * and triggers would only slow the hottest insert.
     */
    void enforceDeclaredWidths(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            Jdbc.inTransaction(
                    c,
                    tx -> {
                        try (Statement s = tx.createStatement()) {
                            for (String trigger : names(
                                    s,
                                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                            + " AND name LIKE 'cdp_width_%'")) {
                                s.execute("DROP TRIGGER " + trigger);
                            }
                            for (String table : names(
                                    s,
                                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                                            + " AND name NOT LIKE 'sqlite_%' AND name NOT IN ('decisions', 'flyway_schema_history')")) {
                                for (Map.Entry<String, Integer> column :
                                        declaredWidths(s, table).entrySet()) {
                                    for (String event : List.of("INSERT", "UPDATE")) {
                                        s.execute(widthTrigger(table, column.getKey(), column.getValue(), event));
                                    }
                                }
                            }
                        }
                        return null;
                    },
                    done -> true);
        } catch (SQLException e) {
            throw new StoreException("cannot prepare the store " + file + ": " + e.getMessage(), e);
        }
    }

    private static String widthTrigger(String table, String column, int width, String event) {
        String name = "cdp_width_" + table + "_" + column + "_" + event.toLowerCase(java.util.Locale.ROOT);
        return "CREATE TRIGGER " + name + " BEFORE " + event + " ON " + table + " WHEN length(NEW." + column + ") > "
                + width + " BEGIN SELECT RAISE(ABORT, '" + table + "." + column + " is longer than " + width
                + " characters'); END";
    }

    private static Map<String, Integer> declaredWidths(Statement s, String table) throws SQLException {
        Map<String, Integer> widths = new LinkedHashMap<>();
        java.util.regex.Pattern varchar = java.util.regex.Pattern.compile("(?i)VARCHAR\\s*\\(\\s*(\\d+)\\s*\\)");
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                java.util.regex.Matcher m = varchar.matcher(rs.getString("type"));
                if (m.matches()) {
                    widths.put(rs.getString("name"), Integer.parseInt(m.group(1)));
                }
            }
        }
        return widths;
    }

    private static List<String> names(Statement s, String sql) throws SQLException {
        List<String> names = new java.util.ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private String unsettableHint(String pragma) {
        if (pragma.equals("auto_vacuum")) {
            return "; it was created by something else. Convert it once, with the service stopped: sqlite3 " + file
                    + " 'PRAGMA journal_mode=DELETE; PRAGMA auto_vacuum=INCREMENTAL; VACUUM; PRAGMA journal_mode=WAL'";
        }
        if (pragma.equals("journal_mode")) {
            return "; the file system may not support WAL's shared memory (a network file system?); put the data"
                    + " directory on a local disk";
        }
        return "";
    }

    private static String pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : "(nothing)";
        }
    }

    /**
     * Moves the WAL and shared-memory index at the file's path aside (suffix {@code .lost}), once
     * the file they belong to was deleted or replaced. SQLite pairs a WAL with whatever database
     * has its name: left in place, the lost file's pages would be written into the next file
     * opened there, a backup restored as the refusal says, and corrupt it. This process's
     * connections keep the files they have open; nothing is deleted.
     *
     * @return where each went, or why it could not be moved
     */
    List<String> setAsideLeftovers() {
        List<String> moved = new java.util.ArrayList<>();
        for (Path leftover : List.of(sibling("-wal"), sibling("-shm"))) {
            Path aside = leftover.resolveSibling(leftover.getFileName() + ".lost");
            try {
                Files.move(leftover, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                moved.add(aside.toString());
            } catch (NoSuchFileException none) {
                // nothing left there
            } catch (IOException e) {
                moved.add(leftover + " (could not be moved: " + e.getMessage() + "; move it away before restoring)");
            }
        }
        return moved;
    }

    /** The file's identity: device and inode. Empty when the file is gone. */
    Optional<Object> identity() {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");
            return Optional.of(List.of(a.get("dev"), a.get("ino")));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
            // No inodes to compare (Windows): deletion is still noticed.
            return Files.exists(file) ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
