package io.cdpaccess.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.store.Store;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opening the store refuses a MariaDB database whose text settings would make the service
 * misbehave quietly: under a case- or accent-insensitive collation SQL takes "muller" and
 * "müller" for one user while the service keeps them apart (blocking one would find the other's
 * block and block nobody), and without utf8mb4 names outside the Basic Multilingual Plane cannot
 * be stored at all.
 */
class DatabaseTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "utf8mb4 COLLATE utf8mb4_unicode_ci",
                "utf8mb4 COLLATE utf8mb4_general_ci",
                "utf8mb3 COLLATE utf8mb3_bin",
                "latin1"
            })
    void refusesAnEmptyMariaDbDatabaseWithTheWrongCharacterSetOrCollation(String characterSet) throws SQLException {
        TestDatabase db = TestDatabases.create(Kind.MARIADB);
        execute(db.config(), "ALTER DATABASE " + db.name() + " CHARACTER SET " + characterSet);

        assertThatThrownBy(() -> db.open("wrong-collation").close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("utf8mb4_bin")
                .hasMessageNotContaining(db.config().password().reveal())
                .message()
                .doesNotContain("\n");
        // Nothing was migrated: the administrator can still fix the database with one ALTER DATABASE.
        execute(db.config(), "ALTER DATABASE " + db.name() + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        try (Database fixed = db.open("fixed")) {
            assertThat(new Store(fixed, java.time.Clock.systemUTC()).version()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = "utf8mb4_unicode_ci")
    void refusesAMariaDbDatabaseWhoseTablesWereConvertedAfterwards(String collation) throws SQLException {
        TestDatabase db = TestDatabases.create(Kind.MARIADB);
        db.open("first").close();
        execute(db.config(), "ALTER TABLE grants CONVERT TO CHARACTER SET utf8mb4 COLLATE " + collation);

        assertThatThrownBy(() -> db.open("converted").close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(collation);
    }

    private static void execute(StoreConfig config, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        config.url(), config.user(), config.password().reveal());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
