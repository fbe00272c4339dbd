package io.cdpaccess.audit;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.Where;
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

/** Reads the administrative trail, oldest first, streaming as {@link DecisionQuery} does. */
public final class ChangeQuery {

    /**
     * Which changes.
     *
     * @param action e.g. {@code grant.revoke}, or a prefix ending in a dot ({@code grant.})
     * @param subject text the subject contains (a user, a project)
     * @param limit the most recent this many
     */
    public record Filter(
            Optional<Instant> since,
            Optional<Instant> until,
            Optional<String> actor,
            Optional<String> action,
            Optional<String> subject,
            Optional<Integer> limit) {

        public static Filter all() {
            return new Filter(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty());
        }
    }

    private static final String SELECT = "SELECT c.change_id, c.changed_at_ms, c.actor, c.action, c.subject,"
            + " c.before_value, c.after_value, a.writer FROM changes c"
            + " LEFT JOIN audit_chains a ON a.chain_id = c.chain_id";

    private final DataSource dataSource;

    public ChangeQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Calls {@code sink} for each matching change in time order (the most recent {@code limit}, still oldest first). */
    public void forEach(Filter filter, Consumer<ChangeRecord> sink) throws SQLException {
        Where where = new Where()
                .and("c.changed_at_ms >= ?", filter.since(), Instant::toEpochMilli)
                .and("c.changed_at_ms < ?", filter.until(), Instant::toEpochMilli)
                .and("c.actor = ?", filter.actor())
                .and(
                        filter.action().filter(a -> a.endsWith(".")).isPresent()
                                ? "c.action LIKE ? ESCAPE '!'"
                                : "c.action = ?",
                        filter.action(),
                        a -> a.endsWith(".") ? likeLiteral(a) + "%" : a)
                .and("c.subject LIKE ? ESCAPE '!'", filter.subject(), s -> "%" + likeLiteral(s) + "%");
        boolean newestFirst = filter.limit().isPresent();
        String sql = SELECT
                + where.sql()
                + (newestFirst
                        ? " ORDER BY c.changed_at_ms DESC, c.change_id DESC LIMIT "
                                + filter.limit().get()
                        : " ORDER BY c.changed_at_ms, c.change_id");
        try (Connection c = dataSource.getConnection()) {
            boolean streamInTransaction = DecisionQuery.streamsInTransaction(c);
            if (streamInTransaction) {
                c.setAutoCommit(false);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(500);
                Jdbc.bind(ps, where.params());
                try (ResultSet rs = ps.executeQuery()) {
                    List<ChangeRecord> recent = new ArrayList<>();
                    while (rs.next()) {
                        ChangeRecord r = read(rs);
                        if (newestFirst) {
                            recent.add(r);
                        } else {
                            sink.accept(r);
                        }
                    }
                    Collections.reverse(recent);
                    recent.forEach(sink);
                }
            } finally {
                if (streamInTransaction) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            }
        }
    }

    /** Convenience for small result sets. */
    public List<ChangeRecord> list(Filter filter) throws SQLException {
        List<ChangeRecord> out = new ArrayList<>();
        forEach(filter, out::add);
        return out;
    }

    private static ChangeRecord read(ResultSet rs) throws SQLException {
        return new ChangeRecord(
                rs.getString(1),
                Jdbc.instant(rs, 2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                Jdbc.optionalText(rs, 6),
                Jdbc.optionalText(rs, 7),
                Jdbc.optionalText(rs, 8));
    }

    /** {@code text} matched literally by {@code LIKE ... ESCAPE '!'} (standard SQL, as all three databases take it). */
    private static String likeLiteral(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
