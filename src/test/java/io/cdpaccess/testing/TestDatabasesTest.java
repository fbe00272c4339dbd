package io.cdpaccess.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.db.Database;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The helper itself, which other tests trust: each database it hands out is new, empty and
 * separate from the others, server databases are reached on 127.0.0.1, and a database cut off
 * takes no writes until the outage is closed, then takes them again through the same pool.
 */
class TestDatabasesTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void handsOutSeparateEmptyDatabasesThatCanBeCutOffAndRestored(Kind kind) throws Exception {
        TestDatabase first = TestDatabases.create(kind);
        TestDatabase second = TestDatabases.create(kind);
        assertThat(first.kind()).isEqualTo(kind);
        assertThat(first.config().url()).isNotEqualTo(second.config().url());
        assertThat(first.config().url())
                .satisfiesAnyOf(
                        url -> assertThat(url).startsWith("jdbc:sqlite:/").endsWith("/store.db"),
                        url -> assertThat(url).contains("//127.0.0.1:"));

        try (Database a = first.open("a");
                Database b = second.open("b")) {
            assertThat(count(a, "grants")).isZero();
            execute(
                    a,
                    "INSERT INTO changes (change_id, changed_at_ms, actor, action, subject) VALUES ('x', 1, 'a', 'b', 'c')");
            assertThat(count(a, "changes")).isEqualTo(1);
            assertThat(count(b, "changes")).isZero();

            TestDatabase.Outage outage = first.cutOff();
            try {
                assertThatThrownBy(() -> execute(
                                a,
                                "INSERT INTO changes (change_id, changed_at_ms, actor, action, subject)"
                                        + " VALUES ('y', 1, 'a', 'b', 'c')"))
                        .isInstanceOf(SQLException.class);
                assertThat(count(b, "changes"))
                        .as("the other database is not affected")
                        .isZero();
            } finally {
                outage.close();
            }
            assertThat(countOnceBack(a)).isEqualTo(1);
        }
    }

    /** Pooled connections that died with the outage may each fail once before a new one is made. */
    private static long countOnceBack(Database db) throws SQLException {
        SQLException last = null;
        for (int i = 0; i <= TestDatabases.POOL_SIZE; i++) {
            try {
                return count(db, "changes");
            } catch (SQLException e) {
                last = e;
            }
        }
        throw last;
    }

    private static void execute(Database db, String sql) throws SQLException {
        try (Connection c = db.connection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Database db, String table) throws SQLException {
        try (Connection c = db.connection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
