package io.cdpaccess.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.GrantFilter;
import io.cdpaccess.store.NewGrant;
import io.cdpaccess.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded SQLite store as {@link Database#open} leaves it on disk: the settings that make a
 * commit durable and a busy store fail in time, read back from every pooled connection; files
 * only their owner can read whatever the umask; and the refusals that keep a foreign or a
 * vanished store from being used as if nothing had happened.
 */
class SqliteStoreTest {

    static final int POOL_SIZE = 4;
    /** Neither sqlite-jdbc's default (3000 ms) nor the one derived from the default deadline (2500 ms). */
    static final Duration BUSY_TIMEOUT = Duration.ofMillis(250);

    @TempDir
    Path dir;

    /** The conversion the refusal of a store with the wrong auto_vacuum tells the administrator to run. */
    static final String CONVERSION =
            "sqlite3 %s 'PRAGMA journal_mode=DELETE; PRAGMA auto_vacuum=INCREMENTAL; VACUUM; PRAGMA journal_mode=WAL'";

    static StoreConfig config(Path dataDir) {
        return new StoreConfig(
                StoreConfig.embeddedUrl(dataDir), "", Secret.of(""), POOL_SIZE, Duration.ofMillis(100), BUSY_TIMEOUT);
    }

    @Test
    void everyPooledConnectionHasWalFullSyncForeignKeysIncrementalVacuumAndTheConfiguredBusyTimeout() throws Exception {
        try (Database db = Database.open(config(dir.resolve("data")), "settings")) {
            List<Connection> held = new ArrayList<>();
            try {
                // All at once: the pool must open POOL_SIZE physical connections, not hand one out again.
                for (int i = 0; i < POOL_SIZE; i++) {
                    held.add(db.connection());
                }
                for (Connection c : held) {
                    assertThat(pragmas(c, "journal_mode", "synchronous", "foreign_keys", "auto_vacuum", "busy_timeout"))
                            .containsExactly(
                                    entry("journal_mode", "wal"),
                                    entry("synchronous", "2"),
                                    entry("foreign_keys", "1"),
                                    entry("auto_vacuum", "2"),
                                    entry("busy_timeout", Long.toString(BUSY_TIMEOUT.toMillis())));
                }
            } finally {
                for (Connection c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aStoreFileCreatedOutsideCdpAccessIsRefusedForItsSettingsBeforeAnythingIsWrittenToIt() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path file = data.resolve(StoreConfig.EMBEDDED_FILE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
            s.execute("INSERT INTO notes (body) VALUES ('kept')");
            assertThat(pragmas(c, "auto_vacuum")).containsEntry("auto_vacuum", "0"); // SQLite's default
        }

        assertThatThrownBy(() -> Database.open(config(data), "foreign").close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("auto_vacuum = 0")
                .hasMessageContaining(CONVERSION.formatted(file))
                .message()
                .doesNotContain("\n");
        assertThat(tables(file)).containsExactly("notes"); // not migrated, then refused
        assertThat(data.resolve("store.db-created"))
                .as("a refused foreign file is not marked as a store")
                .doesNotExist();
    }

    @Test
    void aStoreWithoutIncrementalVacuumOpensOnceConvertedAsTheRefusalSays() throws Exception {
        Path data = dir.resolve("data");
        Path file = data.resolve(StoreConfig.EMBEDDED_FILE);
        try (Database db = Database.open(config(data), "first")) {
            addGrant(db, "alice");
        }
        // What a restore through `sqlite3 store.db .dump | sqlite3 new.db` leaves: SQLite's defaults.
        execute(file, "PRAGMA journal_mode=DELETE", "PRAGMA auto_vacuum=NONE", "VACUUM");

        Throwable refused =
                catchThrowable(() -> Database.open(config(data), "unconverted").close());
        assertThat(refused)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("auto_vacuum = 0")
                .hasMessageContaining(CONVERSION.formatted(file));
        String refusal = refused.getMessage();

        // The administrator runs the command the message gives (here through JDBC: no sqlite3 binary on CI).
        String command =
                refusal.substring(refusal.indexOf("sqlite3 " + file + " '") + ("sqlite3 " + file + " '").length());
        execute(file, command.substring(0, command.indexOf('\'')).split(";\\s*"));
        try (Database db = Database.open(config(data), "converted")) {
            assertThat(new Store(db, Clock.systemUTC())
                            .listGrants(
                                    new GrantFilter(Optional.empty(), Optional.empty(), OptionalLong.empty(), true)))
                    .extracting(Grant::user)
                    .containsExactly("alice");
        }
    }

    @Test
    void aStoreWhoseFileWasDeletedIsNotRecreatedEmptyButAFreshDirectoryStillOpens() throws Exception {
        Path data = dir.resolve("data");
        try (Database db = Database.open(config(data), "first")) {
            addGrant(db, "alice");
        }
        for (String f : List.of("store.db", "store.db-wal", "store.db-shm")) {
            Files.deleteIfExists(data.resolve(f));
        }

        assertThatThrownBy(() -> Database.open(config(data), "again").close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(data.resolve("store.db-created").toString())
                .hasMessageContaining("restore store.db from a backup")
                .message()
                .doesNotContain("\n");
        assertThat(data.resolve("store.db")).doesNotExist();

        try (Database fresh = Database.open(config(dir.resolve("fresh")), "fresh")) {
            assertThat(new Store(fresh, Clock.systemUTC()).version()).isZero();
        }
    }

    @Test
    void theDataDirectoryAndEveryStoreFileAreOwnerOnlyWhateverTheUmask() throws Exception {
        Path parent = Files.createDirectory(dir.resolve("parent"));
        Path data = parent.resolve("data");
        // What this JVM's umask gives a file or directory created without asking for a mode:
        // more than owner-only, or this test could not tell OwnerOnly's work from the umask's.
        Path plainFile = Files.createFile(parent.resolve("plain"));
        Path plainDir = Files.createDirectory(parent.resolve("plain-dir"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainFile)))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainDir)))
                .isEqualTo("rwxr-xr-x");

        try (Database db = Database.open(config(data), "modes")) {
            addGrant(db, "alice"); // a write, so that the WAL has frames and the shared-memory index exists
            assertThat(mode(data)).isEqualTo("rwx------");
            Map<String, String> modes = new LinkedHashMap<>();
            for (String name :
                    List.of("store.db", "store.db-wal", "store.db-shm", "store.db-created", "store.db-lock")) {
                modes.put(name, mode(data.resolve(name)));
            }
            assertThat(modes)
                    .containsExactly(
                            entry("store.db", "rw-------"),
                            entry("store.db-wal", "rw-------"),
                            entry("store.db-shm", "rw-------"),
                            entry("store.db-created", "rw-------"),
                            entry("store.db-lock", "rw-------"));
        }
    }

    private static void addGrant(Database db, String user) {
        new Store(db, Clock.systemUTC())
                .addGrant(new NewGrant(
                        "prod",
                        user,
                        OptionalLong.of(42),
                        Instant.now().minusSeconds(1),
                        Optional.empty(),
                        "test",
                        "IRB-1"));
    }

    private static void execute(Path file, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static List<String> tables(Path file) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String mode(Path path) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static Map<String, String> pragmas(Connection c, String... names) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (String name : names) {
                try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
                    values.put(name, rs.next() ? rs.getString(1) : null);
                }
            }
        }
        return values;
    }
}
