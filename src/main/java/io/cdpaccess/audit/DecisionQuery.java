package io.cdpaccess.audit;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.Where;
import io.cdpaccess.outcome.Effect;
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

    private final DataSource dataSource;

    public DecisionQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Calls {@code sink} for each matching record in time order. With a limit, the most recent
     * {@code limit} records are delivered, still oldest first.
     */
    public void forEach(DecisionFilter filter, Consumer<DecisionRecord> sink) throws SQLException {
        Where where = where(filter);
        boolean newestFirst = filter.limit().isPresent();
        String sql = DecisionTable.SELECT
                + where.sql()
                + (newestFirst
                        ? " ORDER BY d.decided_at_ms DESC, d.decision_id DESC LIMIT "
                                + filter.limit().get()
                        : " ORDER BY d.decided_at_ms, d.decision_id");
        try (Connection c = dataSource.getConnection()) {
            boolean streamInTransaction = streamsInTransaction(c);
            if (streamInTransaction) {
                c.setAutoCommit(false);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(500);
                Jdbc.bind(ps, where.params());
                try (ResultSet rs = ps.executeQuery()) {
                    if (newestFirst) {
                        List<DecisionRecord> recent = new ArrayList<>();
                        while (rs.next()) {
                            recent.add(DecisionTable.read(rs));
                        }
                        Collections.reverse(recent);
                        recent.forEach(sink);
                    } else {
                        while (rs.next()) {
                            sink.accept(DecisionTable.read(rs));
                        }
                    }
                }
            } finally {
                if (streamInTransaction) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
        }
    }

    /**
     * How many records {@link #forEach} would deliver without a limit: for a long export's
     * progress, which can then say how long is left.
     */
    public long count(DecisionFilter filter) throws SQLException {
        Where where = where(filter);
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.query(
                            c,
                            "SELECT COUNT(*) FROM decisions d LEFT JOIN decisions c ON c.corrects = d.decision_id"
                                    + where.sql(),
                            where.params(),
                            rs -> rs.getLong(1))
                    .get(0);
        }
    }

    private static Where where(DecisionFilter filter) {
        return new Where()
                .and(DecisionTable.DECISIONS_ONLY)
                .and("d.decided_at_ms >= ?", filter.since(), Instant::toEpochMilli)
                .and("d.decided_at_ms < ?", filter.until(), Instant::toEpochMilli)
                .and("d.instance_name = ?", filter.instance())
                .and("d.normalized_user = ?", filter.user())
                .and(DecisionTable.expression("effect") + " = ?", filter.effect(), Effect::label)
                .and("d.project_id = ?", filter.projectId())
                .and(DecisionTable.expression("reason") + " = ?", filter.reason())
                .and("d.decision_id = ?", filter.decisionId())
                .and("d.policy_version = ?", filter.policyVersion());
    }

    /**
     * Whether a long read must run in a transaction to stream. PostgreSQL streams a result set only
     * inside a transaction with a fetch size. Only there: on SQLite a transaction begins IMMEDIATE,
     * and a long read would hold the write lock, and so every answer, for as long as it runs.
     */
    static boolean streamsInTransaction(Connection c) throws SQLException {
        return c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
    }

    /** Convenience for small result sets. */
    public List<DecisionRecord> list(DecisionFilter filter) throws SQLException {
        List<DecisionRecord> out = new ArrayList<>();
        forEach(filter, out::add);
        return out;
    }

    /**
     * When one user was last allowed on one instance, for each grant the allow named and each
     * project: an access review's "last used". An answer later corrected to a 503 was no use.
     *
     * @param grantId the grant the allow named (empty when the deciding policy did not read the store)
     * @param projectId as recorded (canonical decimal)
     */
    public record LastAllow(Optional<String> grantId, String projectId, Instant at) {}

    /** Each grant and project's latest allow of {@code normalizedUser} on {@code instance} before {@code before}. */
    public List<LastAllow> lastAllows(String instance, String normalizedUser, Instant before) throws SQLException {
        String grant = DecisionTable.expression("grant_id");
        String sql = "SELECT " + grant + ", d.project_id, MAX(d.decided_at_ms) FROM decisions d"
                + " LEFT JOIN decisions c ON c.corrects = d.decision_id WHERE " + DecisionTable.DECISIONS_ONLY
                + " AND d.normalized_user = ? AND d.instance_name = ? AND d.decided_at_ms < ? AND "
                + DecisionTable.expression("effect") + " = ? GROUP BY " + grant + ", d.project_id";
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.query(
                    c,
                    sql,
                    List.of(normalizedUser, instance, before.toEpochMilli(), Effect.ALLOW.label()),
                    rs -> new LastAllow(Jdbc.optionalText(rs, 1), rs.getString(2), Jdbc.instant(rs, 3)));
        }
    }

    /**
     * The REDCap URL of the latest well-formed request recorded for {@code instance} before
     * {@code before}: what an instance without a configured {@code redcap_url} is called with.
     */
    public Optional<String> latestRedcapUrl(String instance, Instant before) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.query(
                            c,
                            "SELECT d.redcap_url FROM decisions d WHERE " + DecisionTable.DECISIONS_ONLY
                                    + " AND d.instance_name = ? AND d.normalized_user IS NOT NULL"
                                    + " AND d.redcap_url IS NOT NULL AND d.decided_at_ms < ?"
                                    + " ORDER BY d.decided_at_ms DESC LIMIT 1",
                            List.of(instance, before.toEpochMilli()),
                            rs -> rs.getString(1))
                    .stream()
                    .findFirst();
        }
    }

    /** The record with this id, if any. */
    public Optional<DecisionRecord> find(String decisionId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Jdbc.query(
                            c,
                            DecisionTable.SELECT + " WHERE d.decision_id = ? AND " + DecisionTable.DECISIONS_ONLY,
                            List.of(decisionId),
                            DecisionTable::read)
                    .stream()
                    .findFirst();
        }
    }
}
