package io.cdpaccess.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Plain SQL against a test's database, for tests that tamper with a table or count its rows. */
public final class Sql {

    private Sql() {}

    /** Runs one statement that changes rows. */
    public static void execute(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /** The number in the first column of the first row, e.g. of {@code SELECT COUNT(*) ...}. */
    public static long count(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
