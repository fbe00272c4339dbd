package io.cdpaccess.db;

import io.cdpaccess.protocol.Texts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The little JDBC the service needs, written once: parameterized queries mapped row by row,
 * transactions that commit only when the work changed something, and the conversions of its
 * column conventions (instants as epoch milliseconds, absent values as SQL NULL, text cut to its
 * column's width).
 */
public final class Jdbc {

    private Jdbc() {}

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code sql} with {@code params} bound in order and maps every row. */
    public static <T> List<T> query(Connection c, String sql, List<?> params, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    /** Binds {@code params} to the statement's placeholders, in order. */
    public static void bind(PreparedStatement ps, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /**
     * Runs {@code work} in one transaction, committed when {@code changed} accepts its result and
     * rolled back otherwise (a no-op leaves no trace), and rolled back on any failure, an {@link Error} included.
     *
     * <p>The commit is made by leaving manual-commit mode ({@code setAutoCommit(true)}, which JDBC
     * defines to commit), not by {@code commit()}: sqlite-jdbc's {@code commit()} begins the next
     * transaction at once, which with {@code BEGIN IMMEDIATE} would hold the file's write lock,
     * shutting out every other writer, until the connection is next used.
     */
    public static <T> T inTransaction(Connection c, Work<T> work, Predicate<? super T> changed) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            result = work.run(c);
        } catch (SQLException | RuntimeException | Error e) {
            // Also on an Error: setAutoCommit(true) would otherwise commit half the work.
            undo(c, e);
            throw e;
        }
        try {
            if (!changed.test(result)) {
                c.rollback();
            }
            c.setAutoCommit(true);
        } catch (SQLException e) {
            endAnyTransaction(c, e);
            throw e;
        }
        return result;
    }

    private static void undo(Connection c, Throwable cause) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
            endAnyTransaction(c, cause);
        }
    }

    /**
     * After a failed commit or rollback the driver may count the connection as back in autocommit
     * mode while the database still holds its transaction open; handed out again, it would keep
     * the write lock and run the next borrower's statements inside that transaction.
     */
    private static void endAnyTransaction(Connection c, Throwable cause) {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException | RuntimeException e) {
            // "no transaction is active": nothing was left open.
            cause.addSuppressed(e);
        }
    }

    /**
     * Binds text for a column of {@code width} characters: NULL when absent, cut to the width
     * otherwise, with U+0000 replaced by U+FFFD. PostgreSQL cannot store U+0000 in text (SQLite and
     * MariaDB can), and a malformed request is recorded with what the caller sent, %00 included:
     * one such row would fail its whole batch.
     */
    public static void setText(PreparedStatement ps, int index, Optional<String> value, int width) throws SQLException {
        if (value.isEmpty()) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, storedText(value.get(), width));
        }
    }

    /** A text as {@link #setText} stores it: NUL replaced (PostgreSQL refuses it), truncated to {@code width}. */
    public static String storedText(String text, int width) {
        return Texts.truncate(text.replace('\u0000', '\uFFFD'), width);
    }

    /** Binds an instant as epoch milliseconds, NULL when absent. */
    public static void setInstant(PreparedStatement ps, int index, Optional<Instant> value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.get().toEpochMilli());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    /** Binds a number, NULL when absent. */
    public static void setLong(PreparedStatement ps, int index, OptionalLong value) throws SQLException {
        if (value.isPresent()) {
            ps.setLong(index, value.getAsLong());
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    /** An epoch-milliseconds column as an instant. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        return Instant.ofEpochMilli(rs.getLong(column));
    }

    /** A nullable epoch-milliseconds column. */
    public static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    /** A nullable number column. */
    public static OptionalLong optionalLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** A nullable text column. */
    public static Optional<String> optionalText(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }
}
