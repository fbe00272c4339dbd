package io.cdpaccess.store;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.Where;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@code grants} table: rows are added, extended and revoked, never deleted. */
final class GrantTable {

    private static final String COLUMNS = "grant_id, instance_name, username, project_id, valid_from_ms, "
            + "valid_until_ms, granted_at_ms, granted_by, reason, revoked_at_ms, revoked_by, revoke_reason";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM grants";

    private GrantTable() {}

    static void insert(Connection c, Grant g) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO grants (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)")) {
            ps.setString(1, g.id());
            ps.setString(2, g.instance());
            ps.setString(3, g.user());
            Jdbc.setLong(ps, 4, g.projectId());
            ps.setLong(5, g.validFrom().toEpochMilli());
            Jdbc.setInstant(ps, 6, g.validUntil());
            ps.setLong(7, g.grantedAt().toEpochMilli());
            ps.setString(8, g.grantedBy());
            ps.setString(9, g.reason());
            ps.executeUpdate();
        }
    }

    /** Marks a grant revoked unless it already is; false when it was. */
    static boolean revoke(Connection c, String grantId, Instant at, String actor, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE grants SET revoked_at_ms = ?, revoked_by = ?, "
                + "revoke_reason = ? WHERE grant_id = ? AND revoked_at_ms IS NULL")) {
            ps.setLong(1, at.toEpochMilli());
            ps.setString(2, actor);
            ps.setString(3, reason);
            ps.setString(4, grantId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Moves a grant's end to {@code until} unless it was revoked meanwhile; false when it was. */
    static boolean extend(Connection c, String grantId, Instant until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE grants SET valid_until_ms = ? WHERE grant_id = ? AND revoked_at_ms IS NULL")) {
            ps.setLong(1, until.toEpochMilli());
            ps.setString(2, grantId);
            return ps.executeUpdate() == 1;
        }
    }

    /** The grants matching {@code where}, newest first. */
    static List<Grant> select(Connection c, Where where) throws SQLException {
        return Jdbc.query(
                c,
                SELECT + where.sql() + " ORDER BY granted_at_ms DESC, grant_id DESC",
                where.params(),
                GrantTable::read);
    }

    static List<Grant> all(Connection c) throws SQLException {
        return Jdbc.query(c, SELECT, List.of(), GrantTable::read);
    }

    /** Conditions on {@code instance_name} and {@code username}. */
    static Where where(Optional<String> instance, Optional<String> user) {
        return new Where().and("instance_name = ?", instance).and("username = ?", user);
    }

    static Where byId(String grantId) {
        return new Where().and("grant_id = ?", Optional.of(grantId));
    }

    private static Grant read(ResultSet rs) throws SQLException {
        return new Grant(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                Jdbc.optionalLong(rs, 4),
                Jdbc.instant(rs, 5),
                Jdbc.optionalInstant(rs, 6),
                Jdbc.instant(rs, 7),
                rs.getString(8),
                rs.getString(9),
                Jdbc.optionalInstant(rs, 10),
                Jdbc.optionalText(rs, 11),
                Jdbc.optionalText(rs, 12));
    }
}
