package io.cdpaccess.db;

import io.cdpaccess.chain.Chain;
import io.cdpaccess.chain.Hash;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A table whose records are chained ({@code decisions}, {@code changes}): its hashed columns in
 * the order they are hashed, how a record's stored values are bound, with its place in the chain
 * ({@code chain_id, chain_seq, prev_hash, record_hash}), and read back exactly as stored.
 *
 * @param name the table, also the first hashed field
 * @param columns the hashed columns, in hashing order
 * @param timeColumn the column of when a record happened (epoch milliseconds), for {@code --since}
 */
public record ChainedTable(String name, List<Column> columns, String timeColumn) {

    /** How a column's value is stored and hashed. */
    public enum Kind {
        INTEGER,
        TEXT,
        BYTES
    }

    /** One hashed column. */
    public record Column(String name, Kind kind) {}

    /** The columns of a chain position, after the hashed ones. */
    private static final List<String> POSITION = List.of("chain_id", "chain_seq", "prev_hash", "record_hash");

    /** The administrative trail; {@code subject} is stored truncated to its width. */
    public static final ChainedTable CHANGES = new ChainedTable(
            "changes",
            List.of(
                    new Column("change_id", Kind.TEXT),
                    new Column("changed_at_ms", Kind.INTEGER),
                    new Column("actor", Kind.TEXT),
                    new Column("action", Kind.TEXT),
                    new Column("subject", Kind.TEXT),
                    new Column("before_value", Kind.TEXT),
                    new Column("after_value", Kind.TEXT)),
            "changed_at_ms");

    public ChainedTable {
        columns = List.copyOf(columns);
    }

    /** Inserts one record with its place in the chain. */
    public String insertSql() {
        List<String> names = new ArrayList<>(columns.stream().map(Column::name).toList());
        names.addAll(POSITION);
        return "INSERT INTO " + name + " (" + String.join(", ", names) + ") VALUES ("
                + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
    }

    /** The hashed columns, then the chain position's, for {@link #read} and {@link #position}. */
    public String selectSql() {
        return "SELECT " + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + ", "
                + String.join(", ", POSITION) + " FROM " + name;
    }

    /** Binds a record's stored values and its link to the statement of {@link #insertSql}. */
    public void bind(PreparedStatement ps, List<?> values, Chain.Link link) throws SQLException {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException(
                    name + " has " + columns.size() + " chained columns, not " + values.size());
        }
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            int index = i + 1;
            if (v == null) {
                ps.setNull(
                        index,
                        switch (columns.get(i).kind()) {
                            case INTEGER -> Types.BIGINT;
                            case TEXT -> Types.VARCHAR;
                            case BYTES -> Types.VARBINARY;
                        });
            } else if (v instanceof Number n) {
                ps.setLong(index, n.longValue());
            } else if (v instanceof String s) {
                ps.setString(index, s);
            } else {
                ps.setBytes(index, (byte[]) v);
            }
        }
        int p = values.size();
        ps.setString(p + 1, link.chainId());
        ps.setLong(p + 2, link.seq());
        ps.setBytes(p + 3, link.previous().bytes());
        ps.setBytes(p + 4, link.hash().bytes());
    }

    /** The hashed values of the current row of a {@link #selectSql} result, exactly as stored. */
    public List<Object> read(ResultSet rs) throws SQLException {
        List<Object> values = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            int index = i + 1;
            Object v = switch (columns.get(i).kind()) {
                case INTEGER -> {
                    long n = rs.getLong(index);
                    yield rs.wasNull() ? null : (Object) n;
                }
                case TEXT -> rs.getString(index);
                case BYTES -> rs.getBytes(index);
            };
            values.add(v);
        }
        return values;
    }

    /**
     * Where the current row of a {@link #selectSql} result says it sits.
     *
     * @param chainId {@code null} for a record written before chains
     * @param previous the hash it says precedes it; null when missing or damaged
     * @param hash its hash as stored; null when missing or damaged
     */
    public record Position(String chainId, long seq, Hash previous, Hash hash) {}

    /** The chain position of the current row of a {@link #selectSql} result. */
    public Position position(ResultSet rs) throws SQLException {
        int p = columns.size();
        return new Position(
                rs.getString(p + 1),
                rs.getLong(p + 2),
                Hash.orNull(rs.getBytes(p + 3)),
                Hash.orNull(rs.getBytes(p + 4)));
    }
}
