package io.cdpaccess.audit;

import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.ChainedWriter;
import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.outcome.Effect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

    /**
     * The columns a correction changes: what the caller was answered instead. A correction is a
     * row of its own, appended with {@code corrects} naming the record it corrects; records are
     * never updated, so that the chain still verifies.
     */
    private static final Set<String> CORRECTED = Set.of("effect", "reason", "detail", "http_status", "grant_id");

    /**
     * The columns as a decision reads them (its correction's where there is one), then the
     * explanation as rows written before V3 hold it (text), for {@link #read}: over the records
     * ({@code d}) each joined with its correction ({@code c}), if any. Queries must add
     * {@link #DECISIONS_ONLY}.
     */
    static final String SELECT = "SELECT "
            + COLUMNS.stream().map(c -> expression(c.name())).collect(Collectors.joining(", "))
            + ", d.explanation FROM decisions d LEFT JOIN decisions c ON c.corrects = d.decision_id";

    /** Only decisions, not their corrections. */
    static final String DECISIONS_ONLY = "d.corrects IS NULL";

    /** The decisions table's chained columns: every column above, then {@code corrects}. */
    static final ChainedTable CHAINED = new ChainedTable(
            "decisions",
            Stream.concat(
                            COLUMNS.stream().map(c -> new ChainedTable.Column(c.name(), kind(c))),
                            Stream.of(new ChainedTable.Column("corrects", ChainedTable.Kind.TEXT)))
                    .toList(),
            "decided_at_ms");

    private static final String CORRECTION_STATE = "SELECT (SELECT COUNT(*) FROM decisions WHERE decision_id = ?),"
            + " (SELECT COUNT(*) FROM decisions WHERE corrects = ?)";

    private final DataSource dataSource;
    private final ChainedWriter chain;

    /**
     * @param writer who writes, as the chain's start row names it
     */
    DecisionTable(DataSource dataSource, String writer, Clock clock) {
        this.dataSource = dataSource;
        this.chain = new ChainedWriter(CHAINED, writer, clock);
    }

    /** The head of this run's chain of decisions, empty before its first record. */
    java.util.Optional<io.cdpaccess.chain.ChainHead> chainHead() {
        return chain.head();
    }

    /** The SQL expression of a column as a decision reads it, for {@link #SELECT} and filters. */
    static String expression(String column) {
        return CORRECTED.contains(column)
                ? "CASE WHEN c.decision_id IS NULL THEN d." + column + " ELSE c." + column + " END"
                : "d." + column;
    }

    /** A correction's own id, made from the one it corrects: there is one correction per record at most. */
    static String correctionId(String decisionId) {
        return decisionId + "-c";
    }

    private static ChainedTable.Kind kind(Column c) {
        return c.width() == 0
                ? ChainedTable.Kind.INTEGER
                : c.width() == DEFLATED ? ChainedTable.Kind.BYTES : ChainedTable.Kind.TEXT;
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

    /**
     * Appends the records, then each correction: as a row of its own naming the record it
     * corrects, or in its place when that record's commit never happened.
     */
    @Override
    public void write(List<Row> records, List<Row> corrections) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            chain.write(c, (tx, appender) -> append(tx, appender, records, corrections), done -> true);
        }
    }

    /**
     * Inserts {@code records} as {@link #write} does, in a transaction that is then rolled back:
     * the driver, the statement, the rows' binding and chaining are exercised and nothing stays in
     * the table or the chain.
     */
    @Override
    public void rehearse(List<Row> records) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            chain.write(c, (tx, appender) -> append(tx, appender, records, List.of()), done -> false);
        }
    }

    /** @return true, the transaction's result */
    private static boolean append(
            Connection tx, ChainedWriter.Appender appender, List<Row> records, List<Row> corrections)
            throws SQLException {
        List<List<Object>> rows = new ArrayList<>(records.size() + corrections.size());
        for (Row r : records) {
            rows.add(stored(r, r.record().decisionId(), null));
        }
        for (Row corrected : corrections) {
            String id = corrected.record().decisionId();
            long[] state = Jdbc.query(
                            tx, CORRECTION_STATE, List.of(id, id), rs -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .get(0);
            if (state[0] == 0) {
                rows.add(stored(corrected, id, null)); // the original commit never happened
            } else if (state[1] == 0) {
                rows.add(stored(corrected, correctionId(id), id));
            } // else: corrected already, by a commit that was reported failed but happened
        }
        appender.append(rows);
        return true;
    }

    /** A row's values exactly as stored (texts cleaned and truncated), in {@link #CHAINED}'s order. */
    private static List<Object> stored(Row row, String decisionId, String corrects) {
        List<Object> values = new ArrayList<>(COLUMNS.size() + 1);
        for (Column column : COLUMNS) {
            values.add(column.name().equals("decision_id") ? decisionId : storedValue(column, row));
        }
        values.add(corrects);
        return values;
    }

    private static Object storedValue(Column column, Row row) {
        if (column.width() == DEFLATED) {
            return row.deflatedExplanation().orElse(null);
        }
        Object value = column.name().equals("latency_us") && row.latencyNow().isPresent()
                ? (Object) Math.max(
                        row.record().latencyMicros(), row.latencyNow().get().getAsLong())
                : column.value().apply(row.record());
        if (value instanceof Optional<?> optional) {
            value = optional.orElse(null);
        }
        if (value == null || column.width() == 0) {
            return value;
        }
        return Jdbc.storedText(String.valueOf(value), column.width());
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
}
