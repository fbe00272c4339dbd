package io.cdpaccess.store;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.Where;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The {@code projects} table: one row per (instance, project) an administrator has recorded. */
final class ProjectTable {

    private static final String COLUMNS =
            "instance_name, project_id, status, irb_number, expires_at_ms, note, updated_at_ms, updated_by";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM projects";

    private ProjectTable() {}

    static Optional<Project> find(Connection c, String instance, long projectId) throws SQLException {
        return Jdbc.query(
                        c,
                        SELECT + " WHERE instance_name = ? AND project_id = ?",
                        List.of(instance, projectId),
                        ProjectTable::read)
                .stream()
                .findFirst();
    }

    /** Writes {@code p}, as a new row or over the existing one. */
    static void save(Connection c, Project p, boolean exists) throws SQLException {
        String sql = exists
                ? "UPDATE projects SET status = ?, irb_number = ?, expires_at_ms = ?, note = ?, updated_at_ms = ?, "
                        + "updated_by = ? WHERE instance_name = ? AND project_id = ?"
                : "INSERT INTO projects (status, irb_number, expires_at_ms, note, updated_at_ms, updated_by, "
                        + "instance_name, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, p.status().label());
            ps.setString(2, p.irbNumber().orElse(null));
            Jdbc.setInstant(ps, 3, p.expiresAt());
            ps.setString(4, p.note().orElse(null));
            ps.setLong(5, p.updatedAt().toEpochMilli());
            ps.setString(6, p.updatedBy());
            ps.setString(7, p.instance());
            ps.setLong(8, p.projectId());
            ps.executeUpdate();
        }
    }

    /** Projects, optionally of one instance, ordered by instance and id. */
    static List<Project> list(Connection c, Optional<String> instance) throws SQLException {
        Where where = new Where().and("instance_name = ?", instance);
        return Jdbc.query(
                c, SELECT + where.sql() + " ORDER BY instance_name, project_id", where.params(), ProjectTable::read);
    }

    private static Project read(ResultSet rs) throws SQLException {
        return new Project(
                rs.getString(1),
                rs.getLong(2),
                Project.Status.fromLabel(rs.getString(3)),
                Jdbc.optionalText(rs, 4),
                Jdbc.optionalInstant(rs, 5),
                Jdbc.optionalText(rs, 6),
                Jdbc.instant(rs, 7),
                rs.getString(8));
    }
}
