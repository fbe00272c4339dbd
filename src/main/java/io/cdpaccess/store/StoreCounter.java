package io.cdpaccess.store;

import io.cdpaccess.db.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The one row of {@code store_version}, which every server polls: {@code version}, bumped by
 * every change to grants, projects or blocks (so servers reload their snapshot), and
 * {@code policy_reloads}, bumped by {@code policy reload} (so servers re-read their policy).
 */
enum StoreCounter {
    VERSION("version"),
    POLICY_RELOADS("policy_reloads");

    private final String column;

    StoreCounter(String column) {
        this.column = column;
    }

    long read(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM store_version WHERE id = 1")) {
            ps.setQueryTimeout(5);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("store_version row is missing; the database was altered by hand");
                }
                return rs.getLong(1);
            }
        }
    }

    void bump(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE store_version SET " + column + " = " + column + " + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
    }
}
