package io.cdpaccess.store;

import io.cdpaccess.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The {@code blocks} table: a block is lifted by setting {@code lifted_*}; rows are kept. */
final class BlockTable {

    private static final String COLUMNS =
            "block_id, username, reason, blocked_at_ms, blocked_by, lifted_at_ms, lifted_by, lift_reason";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM blocks";
    private static final String ACTIVE = " WHERE lifted_at_ms IS NULL";

    private BlockTable() {}

    static void insert(Connection c, Block b) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO blocks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)")) {
            ps.setString(1, b.id());
            ps.setString(2, b.user());
            ps.setString(3, b.reason());
            ps.setLong(4, b.blockedAt().toEpochMilli());
            ps.setString(5, b.blockedBy());
            ps.executeUpdate();
        }
    }

    /** Lifts every active block of a normalized user. */
    static void lift(Connection c, String user, Instant at, String actor, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE blocks SET lifted_at_ms = ?, lifted_by = ?, lift_reason = ?" + ACTIVE + " AND username = ?")) {
            ps.setLong(1, at.toEpochMilli());
            ps.setString(2, actor);
            ps.setString(3, reason);
            ps.setString(4, user);
            ps.executeUpdate();
        }
    }

    /** A normalized user's active blocks. */
    static List<Block> activeFor(Connection c, String user) throws SQLException {
        return Jdbc.query(c, SELECT + ACTIVE + " AND username = ?", List.of(user), BlockTable::read);
    }

    /** Every active block. */
    static List<Block> active(Connection c) throws SQLException {
        return Jdbc.query(c, SELECT + ACTIVE, List.of(), BlockTable::read);
    }

    /** Blocks, newest first; lifted ones only when asked. */
    static List<Block> list(Connection c, boolean includeLifted) throws SQLException {
        return Jdbc.query(
                c,
                SELECT + (includeLifted ? "" : ACTIVE) + " ORDER BY blocked_at_ms DESC, block_id DESC",
                List.of(),
                BlockTable::read);
    }

    private static Block read(ResultSet rs) throws SQLException {
        return new Block(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                Jdbc.instant(rs, 4),
                rs.getString(5),
                Jdbc.optionalInstant(rs, 6),
                Jdbc.optionalText(rs, 7),
                Jdbc.optionalText(rs, 8));
    }
}
