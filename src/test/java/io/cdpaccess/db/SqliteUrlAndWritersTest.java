package io.cdpaccess.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code store.url} may name for the embedded store, and how the service's own writers
 * share it: one transaction at a time, a waiting one refused after the busy timeout rather than
 * left to hang.
 */
class SqliteUrlAndWritersTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jdbc:sqlite::memory:",
                "jdbc:sqlite:",
                "jdbc:sqlite:relative/store.db",
                "jdbc:sqlite:/var/lib/cdp-access/store.db?journal_mode=DELETE",
                "jdbc:sqlite:file::memory:?cache=shared"
            })
    void anythingButAnAbsoluteFilePathIsRefusedWithWhatToWrite(String url) {
        assertThatThrownBy(() -> Database.open(config(url, Duration.ofMillis(200)), "bad-url"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(url)
                .message()
                .satisfiesAnyOf(
                        m -> assertThat(m).contains("use jdbc:sqlite:/path/to/store.db"),
                        m -> assertThat(m).contains("use an absolute one"));
    }

    @Test
    void theEmbeddedStoresFilesAreNamedForTheStartupChecksAndAServerDatabaseHasNone() {
        assertThat(Database.embeddedFiles("jdbc:sqlite:/srv/data/store.db"))
                .containsExactly(
                        Path.of("/srv/data/store.db"),
                        Path.of("/srv/data/store.db-wal"),
                        Path.of("/srv/data/store.db-shm"),
                        Path.of("/srv/data/store.db-created"));
        assertThat(Database.embeddedFiles("jdbc:postgresql://db.example.edu/cdp"))
                .isEmpty();
    }

    @Test
    void aSecondTransactionOfThisProcessWaitsItsTurnAndIsRefusedAfterTheBusyTimeout() throws Exception {
        Duration busy = Duration.ofMillis(300);
        try (Database db = Database.open(config(StoreConfig.embeddedUrl(dir), busy), "writers");
                Connection first = db.connection();
                Connection second = db.connection()) {
            first.setAutoCommit(false);
            try (Statement s = first.createStatement()) {
                s.execute("UPDATE store_version SET version = version + 1");
            }

            long start = System.nanoTime();
            assertThatThrownBy(() -> second.setAutoCommit(false))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("SQLITE_BUSY")
                    .hasMessageContaining("300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(busy);
            assertThat(second.getAutoCommit())
                    .as("the refused one is usable as before")
                    .isTrue();

            first.setAutoCommit(true); // commits, and lets the next one in at once
            second.setAutoCommit(false);
            try (Statement s = second.createStatement()) {
                s.execute("UPDATE store_version SET version = version + 1");
            }
            second.setAutoCommit(true);
            try (Statement s = second.createStatement();
                    var rs = s.executeQuery("SELECT version FROM store_version")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void closingAConnectionInTheMiddleOfItsTransactionLetsTheNextWriterIn() throws Exception {
        try (Database db = Database.open(config(StoreConfig.embeddedUrl(dir), Duration.ofMillis(300)), "closing")) {
            Connection abandoned = db.connection();
            abandoned.setAutoCommit(false);
            abandoned.close(); // the pool rolls it back; the permit must not stay taken

            try (Connection next = db.connection()) {
                next.setAutoCommit(false);
                next.setAutoCommit(true);
            }
        }
    }

    private static StoreConfig config(String url, Duration busyTimeout) {
        return new StoreConfig(url, "", Secret.none(), 4, Duration.ofSeconds(1), busyTimeout);
    }
}
