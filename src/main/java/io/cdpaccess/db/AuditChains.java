package io.cdpaccess.db;

import io.cdpaccess.chain.Chain;
import io.cdpaccess.chain.ChainHash;
import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.chain.Hash;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code audit_chains} table: one start row per chain, which links the chain to the head of
 * the chain of the same table started before it. Its hashed fields, after the table's name:
 * {@code chain_id, record_table, started_at_ms, writer, previous_chain_id, previous_seq,
 * previous_hash}, following 32 zero bytes.
 */
public final class AuditChains {

    public static final String TABLE = "audit_chains";

    /**
     * A chain's start row.
     *
     * @param previous the head of the chain of the same table started before, at this one's start
     */
    public record Start(
            String chainId,
            String recordTable,
            long startedAtMs,
            String writer,
            Optional<ChainHead> previous,
            Hash startHash) {

        /** Its hashed fields, in order. */
        public List<Object> fields() {
            List<Object> f = new ArrayList<>();
            f.add(chainId);
            f.add(recordTable);
            f.add(startedAtMs);
            f.add(writer);
            f.add(previous.map(ChainHead::chainId).orElse(null));
            f.add(previous.map(h -> (Object) h.seq()).orElse(null));
            f.add(previous.map(h -> h.hash().bytes()).orElse(null));
            return f;
        }

        /** The hash its fields give: equal to {@link #startHash} unless the row was changed. */
        public Hash computedHash() {
            return ChainHash.of(Hash.NONE, TABLE, fields());
        }

        /** The head a chain that has no record yet has. */
        public ChainHead head() {
            return new ChainHead(chainId, 0, startHash);
        }
    }

    /** How wide {@code writer} is. */
    private static final int WRITER_WIDTH = 255;

    private AuditChains() {}

    /**
     * Starts a chain for {@code table} in {@code tx}, linked to the head of the chain of that table
     * started last.
     */
    public static Chain start(Connection tx, ChainedTable table, String chainId, Clock clock, String writer)
            throws SQLException {
        // One chain start at a time: another server starting now must see this one, and link to
        // it, or be seen by it. A no-op update of the store's counter row is a row lock on every
        // database (SQLite serializes writers anyway); it is taken once per process run.
        try (PreparedStatement lock = tx.prepareStatement("UPDATE store_version SET version = version WHERE id = 1")) {
            lock.executeUpdate();
        }
        Optional<Start> latest = latest(tx, table.name());
        Optional<ChainHead> previous = latest.isEmpty() ? Optional.empty() : Optional.of(head(tx, table, latest.get()));
        // Started after the chain it links to, even if this process read its clock first and then
        // waited for the lock (or the two clocks disagree): the next run links to the latest start,
        // so the order of the starts must be the order of the links.
        long startedAtMs =
                latest.map(l -> Math.max(clock.millis(), l.startedAtMs() + 1)).orElseGet(clock::millis);
        String w = writer.length() > WRITER_WIDTH ? writer.substring(0, WRITER_WIDTH) : writer;
        Start pending = new Start(chainId, table.name(), startedAtMs, w, previous, Hash.NONE);
        Start start = new Start(chainId, table.name(), startedAtMs, w, previous, pending.computedHash());
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO " + TABLE
                + " (chain_id, record_table, started_at_ms, writer, previous_chain_id, previous_seq, previous_hash,"
                + " start_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            List<Object> f = start.fields();
            ps.setString(1, chainId);
            ps.setString(2, table.name());
            ps.setLong(3, start.startedAtMs());
            ps.setString(4, w);
            ps.setString(5, (String) f.get(4));
            if (f.get(5) == null) {
                ps.setNull(6, java.sql.Types.BIGINT);
            } else {
                ps.setLong(6, (Long) f.get(5));
            }
            ps.setBytes(7, (byte[]) f.get(6));
            ps.setBytes(8, start.startHash().bytes());
            ps.executeUpdate();
        }
        return new Chain(table.name(), start.head());
    }

    /**
     * The head of chain {@code chainId} as {@code table} holds it now, or empty when its start row
     * is not there (the transaction that started it did not commit).
     */
    public static Optional<ChainHead> head(Connection c, ChainedTable table, String chainId) throws SQLException {
        Optional<Start> start = find(c, chainId);
        return start.isEmpty() ? Optional.empty() : Optional.of(head(c, table, start.get()));
    }

    private static ChainHead head(Connection c, ChainedTable table, Start start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT chain_seq, record_hash FROM " + table.name()
                + " WHERE chain_id = ? ORDER BY chain_seq DESC LIMIT 1")) {
            ps.setString(1, start.chainId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return start.head();
                }
                long seq = rs.getLong(1);
                Hash hash = Hash.orNull(rs.getBytes(2));
                if (hash == null) {
                    throw new SQLException("record " + seq + " of chain " + start.chainId() + " in " + table.name()
                            + " has no valid record_hash: the table was changed outside cdp-access;"
                            + " run cdp-access audit verify");
                }
                return new ChainHead(start.chainId(), seq, hash);
            }
        }
    }

    private static Optional<Start> latest(Connection c, String table) throws SQLException {
        List<Start> found =
                query(c, " WHERE record_table = ? ORDER BY started_at_ms DESC, chain_id DESC LIMIT 1", List.of(table));
        return found.stream().findFirst();
    }

    private static Optional<Start> find(Connection c, String chainId) throws SQLException {
        return query(c, " WHERE chain_id = ?", List.of(chainId)).stream().findFirst();
    }

    /** Every chain of {@code table}, oldest first. */
    public static List<Start> all(Connection c, String table) throws SQLException {
        return query(c, " WHERE record_table = ? ORDER BY started_at_ms, chain_id", List.of(table));
    }

    private static List<Start> query(Connection c, String where, List<?> params) throws SQLException {
        return Jdbc.query(
                c,
                "SELECT chain_id, record_table, started_at_ms, writer, previous_chain_id, previous_seq,"
                        + " previous_hash, start_hash FROM " + TABLE + where,
                params,
                rs -> {
                    String previousChain = rs.getString(5);
                    long previousSeq = rs.getLong(6);
                    Hash previousHash = Hash.orNull(rs.getBytes(7));
                    Optional<ChainHead> previous = previousChain == null || previousHash == null
                            ? Optional.empty()
                            : Optional.of(new ChainHead(previousChain, previousSeq, previousHash));
                    Hash startHash = Hash.orNull(rs.getBytes(8));
                    return new Start(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getString(4),
                            previous,
                            startHash == null ? Hash.NONE : startHash);
                });
    }
}
