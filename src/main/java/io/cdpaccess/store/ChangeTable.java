package io.cdpaccess.store;

import io.cdpaccess.protocol.Texts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/** The {@code changes} table: who changed what, written in the same transaction as the change. */
final class ChangeTable {

    /** Width of the {@code subject} column. */
    private static final int SUBJECT_WIDTH = 1000;

    private ChangeTable() {}

    static void record(Connection c, String changeId, Instant at, String actor, String action, String subject)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO changes (change_id, changed_at_ms, actor, action, subject) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, changeId);
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, actor);
            ps.setString(4, action);
            ps.setString(5, Texts.truncate(subject, SUBJECT_WIDTH));
            ps.executeUpdate();
        }
    }
}
