package io.cdpaccess.audit;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.outcome.Effect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The {@code decisions} table, defined once: its columns in order, each with the name exports
 * use and the width of its text (as in the migration that created it), how a record is written
 * ({@link #write}, the {@link GroupCommit.Writer} of the decision log) and read back
 * ({@link #read}).
 */
final class DecisionTable implements GroupCommit.Writer<DecisionTable.Row> {

    /**
     * One column.
     *
     * @param exportName its name in CSV headers and JSON Lines keys
     * @param width the longest text it holds, 0 for numbers
     * @param value what is stored (an {@code Optional} for a nullable column)
     * @param exported what exports show, the stored value unless said otherwise
     */
    record Column(
            String name,
            String exportName,
            int width,
            Function<DecisionRecord, Object> value,
            Function<DecisionRecord, Object> exported) {

        Column(String name, String exportName, int width, Function<DecisionRecord, Object> value) {
            this(name, exportName, width, value, value);
        }

        /** The exported value, {@code null} when absent. */
        Object export(DecisionRecord r) {
            Object v = exported.apply(r);
            return v instanceof Optional<?> optional ? optional.orElse(null) : v;
        }
    }

    /** The width of a column holding deflated text (bytes): {@link DeflatedText}. */
    private static final int DEFLATED = -1;

    static final List<Column> COLUMNS = List.of(
            new Column("decision_id", "decision_id", 40, DecisionRecord::decisionId),
            new Column(
                    "decided_at_ms",
                    "decided_at",
                    0,
                    r -> r.decidedAt().toEpochMilli(),
                    r -> r.decidedAt().toString()),
            new Column("instance_name", "instance", 32, DecisionRecord::instance),
            new Column("username", "user", 300, DecisionRecord::user),
            new Column("normalized_user", "normalized_user", 300, DecisionRecord::normalizedUser),
            new Column("project_id", "project_id", 300, DecisionRecord::projectId),
            new Column("redcap_url", "redcap_url", 300, DecisionRecord::redcapUrl),
            new Column("caller_ip", "caller_ip", 64, DecisionRecord::callerIp),
            new Column("peer_ip", "peer_ip", 64, DecisionRecord::peerIp),
            new Column("effect", "effect", 16, r -> r.effect().label()),
            new Column("reason", "reason", 64, DecisionRecord::reason),
            new Column("detail", "detail", 1000, DecisionRecord::detail),
            new Column("http_status", "http_status", 0, DecisionRecord::httpStatus),
            new Column("latency_us", "latency_us", 0, DecisionRecord::latencyMicros),
            new Column("grant_id", "grant_id", 40, DecisionRecord::grantId),
            new Column("policy_version", "policy_version", 16, DecisionRecord::policyVersion),
            new Column(
                    "explanation_z",
                    "explanation",
                    DEFLATED,
                    DecisionRecord::explanation, // stored as the Row's deflated bytes
                    DecisionRecord::explanation));

    /** The columns, then the explanation as rows written before V3 hold it (text), for {@link #read}. */
    static final String SELECT = "SELECT " + COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "))
            + ", explanation FROM decisions";

    private static final String INSERT = "INSERT INTO decisions ("
            + COLUMNS.stream().map(Column::name).collect(Collectors.joining(", ")) + ") VALUES ("
            + COLUMNS.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    private static final String CORRECT = "UPDATE decisions SET effect = ?, reason = ?, detail = ?, http_status = ?, "
            + "grant_id = NULL WHERE decision_id = ?";

    private final DataSource dataSource;

    DecisionTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A record as it is written: with its explanation already deflated, by the thread that hands
     * it to the writer. Deflating on the single writer thread made it the decision log's limit
     * (about 16,000 records/s instead of over 20,000 on this project's machine).
     */
    record Row(DecisionRecord record, Optional<byte[]> deflatedExplanation, Optional<LongSupplier> latencyNow) {
        static Row of(DecisionRecord record) {
            return new Row(record, record.explanation().map(DeflatedText::deflate), Optional.empty());
        }

        /**
         * A row whose latency is read when the writer binds it, in the transaction that commits
         * it: the time from the request's first byte to its record's commit, which is what the
         * caller waited for (the commit is most of it when the store is slow).
         */
        static Row timed(DecisionRecord record, LongSupplier latencyMicrosNow) {
            return new Row(record, record.explanation().map(DeflatedText::deflate), Optional.of(latencyMicrosNow));
        }

        /** The same row with another record whose explanation is this one's (a correction, a 503). */
        Row with(DecisionRecord other) {
            return new Row(other, deflatedExplanation, latencyNow);
        }
    }

    @Override
    public void write(List<Row> records, List<Row> corrections) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Jdbc.inTransaction(
                    c,
                    tx -> {
                        if (!records.isEmpty()) {
                            insert(tx, records);
                        }
                        for (Row corrected : corrections) {
                            if (!correct(tx, corrected.record())) {
                                insert(tx, List.of(corrected)); // the original commit never happened
                            }
                        }
                        return null;
                    },
                    done -> true);
        }
    }

    /**
     * Inserts {@code records} as {@link #write} does, in a transaction that is then rolled back:
     * the driver, the statement and the rows' binding are exercised and nothing stays in the table.
     */
    @Override
    public void rehearse(List<Row> records) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Jdbc.inTransaction(
                    c,
                    tx -> {
                        insert(tx, records);
                        return null;
                    },
                    done -> false);
        }
    }

    private static void insert(Connection c, List<Row> records) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Row r : records) {
                for (int i = 0; i < COLUMNS.size(); i++) {
                    bind(ps, i + 1, COLUMNS.get(i), r);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Writes what a record was corrected to over the original; false when there is none. */
    private static boolean correct(Connection c, DecisionRecord corrected) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CORRECT)) {
            ps.setString(1, corrected.effect().label());
            ps.setString(2, corrected.reason());
            Jdbc.setText(ps, 3, corrected.detail(), column("detail").width());
            ps.setInt(4, corrected.httpStatus());
            ps.setString(5, corrected.decisionId());
            return ps.executeUpdate() > 0;
        }
    }

    private static void bind(PreparedStatement ps, int index, Column column, Row row) throws SQLException {
        if (column.width() == DEFLATED) {
            Optional<byte[]> bytes = row.deflatedExplanation();
            if (bytes.isPresent()) {
                ps.setBytes(index, bytes.get());
            } else {
                ps.setNull(index, java.sql.Types.VARBINARY);
            }
            return;
        }
        Object value = column.name().equals("latency_us") && row.latencyNow().isPresent()
                ? (Object) Math.max(
                        row.record().latencyMicros(), row.latencyNow().get().getAsLong())
                : column.value().apply(row.record());
        if (column.width() == 0) {
            ps.setObject(index, value);
        } else if (value instanceof Optional<?> optional) {
            Jdbc.setText(ps, index, optional.map(String::valueOf), column.width());
        } else {
            Jdbc.setText(ps, index, Optional.of(String.valueOf(value)), column.width());
        }
    }

    /** The record in the current row of a result set of {@link #SELECT}. */
    static DecisionRecord read(ResultSet rs) throws SQLException {
        // Positions are those of COLUMNS, which SELECT lists in order.
        return new DecisionRecord(
                rs.getString(1),
                Jdbc.instant(rs, 2),
                Jdbc.optionalText(rs, 3),
                Jdbc.optionalText(rs, 4),
                Jdbc.optionalText(rs, 5),
                Jdbc.optionalText(rs, 6),
                Jdbc.optionalText(rs, 7),
                rs.getString(8),
                rs.getString(9),
                effect(rs.getString(1), rs.getString(10)),
                rs.getString(11),
                Jdbc.optionalText(rs, 12),
                rs.getInt(13),
                rs.getLong(14),
                Jdbc.optionalText(rs, 15),
                Jdbc.optionalText(rs, 16),
                explanation(rs));
    }

    /** The deflated explanation (column 17), or for a row written before V3 its text (18). */
    private static Optional<String> explanation(ResultSet rs) throws SQLException {
        byte[] deflated = rs.getBytes(17);
        return deflated != null ? Optional.of(DeflatedText.inflate(deflated)) : Jdbc.optionalText(rs, 18);
    }

    private static Effect effect(String decisionId, String label) {
        try {
            return Effect.fromLabel(label);
        } catch (IllegalArgumentException e) {
            throw new StoreException("decision " + decisionId + " in the decisions table has the effect '" + label
                    + "', which cdp-access never writes: the table was changed outside it");
        }
    }

    private static Column column(String name) {
        return COLUMNS.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
