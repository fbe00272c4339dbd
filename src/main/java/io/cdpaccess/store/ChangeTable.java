package io.cdpaccess.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code changes} table: who changed what, written in the same transaction as the change,
 * chained as {@link ChainedTable#CHANGES} describes.
 */
final class ChangeTable {

    /** Width of the {@code subject} column. */
    private static final int SUBJECT_WIDTH = 1000;

    /** Width of the {@code actor} column. */
    private static final int ACTOR_WIDTH = 255;

    private ChangeTable() {}

    /** The longest before or after value kept (a revocation of very many grants is cut there). */
    private static final int VALUES_WIDTH = 1_000_000;

    /** A change record's values exactly as stored, in {@link ChainedTable#CHANGES}'s order. */
    static List<Object> stored(
            String changeId, Instant at, String actor, String action, String subject, ChangeValues values) {
        return Arrays.asList(
                changeId,
                at.toEpochMilli(),
                Jdbc.storedText(actor, ACTOR_WIDTH),
                action,
                Jdbc.storedText(subject, SUBJECT_WIDTH),
                values.before().map(v -> Jdbc.storedText(v, VALUES_WIDTH)).orElse(null),
                values.after().map(v -> Jdbc.storedText(v, VALUES_WIDTH)).orElse(null));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The ids of the change records that explain the state at {@code now}: those whose before or
     * after values name (by {@code id}) a grant in force or to come, or an active block, and the
     * newest record of each project ({@code project.*}, by subject).
     */
    static Set<String> explaining(Connection c, Instant now) throws SQLException {
        Set<String> standing = new HashSet<>();
        for (Grant g : GrantTable.all(c)) {
            if (g.stateAt(now).current()) {
                standing.add(g.id());
            }
        }
        BlockTable.active(c).forEach(b -> standing.add(b.id()));
        Set<String> kept = new HashSet<>();
        Map<String, String> newestOfProject = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT change_id, action, subject, before_value, after_value"
                + " FROM changes WHERE action LIKE 'grant.%' OR action LIKE 'block.%' OR action LIKE 'project.%'"
                + " ORDER BY changed_at_ms, change_id")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (rs.getString(2).startsWith("project.")) {
                        newestOfProject.put(rs.getString(3), id); // ordered by time: the last one wins
                    } else if (names(rs.getString(4), standing) || names(rs.getString(5), standing)) {
                        kept.add(id);
                    }
                }
            }
        }
        kept.addAll(newestOfProject.values());
        return kept;
    }

    /** Whether these values (a grant or block, or a list of them) name one of {@code ids}. */
    private static boolean names(String values, Set<String> ids) {
        if (values == null) {
            return false;
        }
        try {
            JsonNode node = JSON.readTree(values);
            for (JsonNode item : node.isArray() ? node : List.of(node)) {
                if (item.hasNonNull("id") && ids.contains(item.get("id").asText())) {
                    return true;
                }
            }
            return false;
        } catch (JsonProcessingException e) {
            return true; // values cut at their width: keep the record rather than guess
        }
    }
}
