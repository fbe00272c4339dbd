package io.cdpaccess.source.sql;

import io.cdpaccess.source.redcapdb.WriteGrants;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a {@code sql} source's account could change its database, asked of the database
 * itself once at start: PostgreSQL's role (a superuser) and the tables it may insert into,
 * update, delete from or truncate; MariaDB's and MySQL's {@code SHOW GRANTS}, read as for
 * {@code redcapdb}. What is found is named (a few tables at most), never how the account
 * authenticates.
 */
final class SqlWriteAccess {

    private static final int MAX_SHOWN = 3;

    /** Ordinary tables (not the catalogs) the current role may change through any privilege. */
    private static final String PG_WRITABLE = "SELECT n.nspname || '.' || c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%'"
            + " AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')"
            + " ORDER BY 1 LIMIT " + (MAX_SHOWN + 1);

    private SqlWriteAccess() {}

    static Optional<String> postgresql(Connection c, int timeoutSeconds) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (rs.next() && rs.getBoolean(1)) {
                    found.add("a superuser");
                }
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(PG_WRITABLE)) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            if (!tables.isEmpty()) {
                found.add("INSERT, UPDATE, DELETE or TRUNCATE on "
                        + String.join(", ", tables.subList(0, Math.min(MAX_SHOWN, tables.size())))
                        + (tables.size() > MAX_SHOWN ? ", ..." : ""));
            }
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
    }

    static Optional<String> mariaDb(Connection c, int timeoutSeconds) throws SQLException {
        List<String> lines = new ArrayList<>();
        Optional<String> database;
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                database = rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
            try (ResultSet rs = s.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        }
        List<String> writing = WriteGrants.beyondReading(lines, database);
        if (writing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.join("; ", writing.subList(0, Math.min(MAX_SHOWN, writing.size())))
                + (writing.size() > MAX_SHOWN ? "; ..." : ""));
    }
}
