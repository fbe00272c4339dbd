package io.cdpaccess.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** Reads the decision log, oldest first, streaming so that exports need no memory per row. */
public final class DecisionQuery {

    private static final String COLUMNS = "decision_id, decided_at_ms, instance_name, username, normalized_user, "
            + "project_id, redcap_url, caller_ip, peer_ip, effect, reason, detail, http_status, latency_us, grant_id, "
            + "policy_version, explanation";

    private final DataSource dataSource;

    public DecisionQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Calls {@code sink} for each matching record in time order. With a limit, the most recent
     * {@code limit} records are delivered, still oldest first.
     */
    public void forEach(DecisionFilter filter, Consumer<DecisionRecord> sink) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM decisions WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        filter.since().ifPresent(s -> {
            sql.append(" AND decided_at_ms >= ?");
            params.add(s.toEpochMilli());
        });
        filter.until().ifPresent(u -> {
            sql.append(" AND decided_at_ms < ?");
            params.add(u.toEpochMilli());
        });
        filter.instance().ifPresent(i -> {
            sql.append(" AND instance_name = ?");
            params.add(i);
        });
        filter.user().ifPresent(u -> {
            sql.append(" AND normalized_user = ?");
            params.add(u);
        });
        filter.effect().ifPresent(e -> {
            sql.append(" AND effect = ?");
            params.add(e);
        });
        boolean newestFirst = filter.limit().isPresent();
        sql.append(newestFirst ? " ORDER BY decided_at_ms DESC, decision_id DESC LIMIT " + filter.limit().get()
                : " ORDER BY decided_at_ms, decision_id");
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL streams a result set only inside a transaction with a fetch size.
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(500);
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (newestFirst) {
                        List<DecisionRecord> recent = new ArrayList<>();
                        while (rs.next()) {
                            recent.add(read(rs));
                        }
                        Collections.reverse(recent);
                        recent.forEach(sink);
                    } else {
                        while (rs.next()) {
                            sink.accept(read(rs));
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Convenience for small result sets. */
    public List<DecisionRecord> list(DecisionFilter filter) throws SQLException {
        List<DecisionRecord> out = new ArrayList<>();
        forEach(filter, out::add);
        return out;
    }

    /** The record with this id, if any. */
    public Optional<DecisionRecord> find(String decisionId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM decisions WHERE decision_id = ?")) {
            ps.setString(1, decisionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static DecisionRecord read(ResultSet rs) throws SQLException {
        return new DecisionRecord(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), text(rs, 3), text(rs, 4),
                text(rs, 5), text(rs, 6), text(rs, 7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), text(rs, 12), rs.getInt(13), rs.getLong(14), text(rs, 15), text(rs, 16), text(rs, 17));
    }

    private static Optional<String> text(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }
}
