package io.cdpaccess.audit;

import io.cdpaccess.chain.Hash;
import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Removes the decision and change records older than the retention, as whole records, so that
 * the chains that remain still verify.
 *
 * <p>Records go in small batches, each its own short transaction that deletes the batch's rows
 * by id and appends one {@code audit.purge} change record naming exactly what it removed (per
 * chain, the ranges of places, the hash the first removed record followed and the last removed
 * record's hash: {@link PurgeAnchors}). A purge stopped half-way therefore leaves only gaps that
 * a record covers, and the decision writer, which appends to its own chain in its own
 * transactions, waits at most one batch's delete. Kept whatever their age: the change records
 * that explain the store's current state (the caller says which), every purge record (the
 * anchors are what let the chains verify) and every chain's start row (one per process run,
 * which the next run's start links to). A purge of records that no longer verify is refused: it
 * would erase the evidence.
 */
public final class AuditPurge {

    /** The action of a purge's change record. */
    public static final String ACTION = PurgeAnchors.ACTION;

    /** Records removed per transaction by default. */
    public static final int BATCH = 1000;

    /** Runs a batch's deletion and its change record in one transaction of the change chain. */
    @FunctionalInterface
    public interface Recorder {
        /**
         * Runs {@code delete} and, when it removed anything, appends an {@code audit.purge}
         * change record whose after value is {@code after} of its result, in one transaction.
         */
        Batch record(Jdbc.Work<Batch> delete, Function<Batch, String> after);
    }

    /**
     * What to purge.
     *
     * @param cutoff records from before this moment go
     * @param retention the retention as configured, for the record
     * @param by who runs the purge, for the record
     * @param kept the change ids kept whatever their age
     */
    public record Request(Instant cutoff, String retention, String by, Set<String> kept) {
        public Request {
            kept = Set.copyOf(kept);
        }
    }

    /**
     * What one batch removed.
     *
     * @param removed records removed, by table
     * @param unchained of them, records written before chains existed (no anchor needed)
     */
    public record Batch(Map<String, Long> removed, long unchained, List<PurgeAnchors.Anchor> anchors) {
        public Batch {
            removed = Map.copyOf(removed);
            anchors = List.copyOf(anchors);
        }

        public long total() {
            return removed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * What a purge removed, or would.
     *
     * @param removed records removed (or that would be), by table
     * @param keptChanges change records older than the cutoff that stay (current state, purges)
     * @param batches transactions, each with its purge record
     */
    public record Result(Map<String, Long> removed, long keptChanges, int batches) {
        public Result {
            removed = Map.copyOf(removed);
        }

        public long total() {
            return removed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** One record that may go. */
    private record Candidate(String id, long at, String chainId, long seq, Hash previous, Hash hash) {}

    /** Where a table's scan stands: after this time and id. */
    private static final class Scan {
        final ChainedTable table;
        long at = Long.MIN_VALUE;
        String id = "";
        boolean done;

        Scan(ChainedTable table) {
            this.table = table;
        }
    }

    private final DataSource dataSource;
    private final int batchSize;

    public AuditPurge(DataSource dataSource) {
        this(dataSource, BATCH);
    }

    /** @param batchSize records removed per transaction */
    public AuditPurge(DataSource dataSource, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("a batch holds at least one record");
        }
        this.dataSource = dataSource;
        this.batchSize = batchSize;
    }

    /**
     * Counts what {@link #purge} would remove, changing nothing.
     *
     * @throws IllegalStateException when the record does not verify: a purge would be refused
     */
    public Result dryRun(Request request, LongConsumer progress) throws SQLException {
        refuseUnlessVerified();
        Map<String, Long> removed = new LinkedHashMap<>();
        long[] kept = {0};
        for (ChainedTable table : AuditVerifier.TABLES) {
            Scan scan = new Scan(table);
            long n = 0;
            while (!scan.done) {
                n += next(scan, request, kept).size();
                progress.accept(n);
            }
            removed.put(table.name(), n);
        }
        return new Result(removed, kept[0], 0);
    }

    /**
     * Removes every record older than the request's cutoff, batch by batch, each batch with its
     * purge record through {@code recorder}.
     *
     * @param progress told the records removed so far, after each batch
     * @throws IllegalStateException when the record does not verify
     */
    public Result purge(Request request, Recorder recorder, LongConsumer progress) throws SQLException {
        refuseUnlessVerified();
        Map<String, Long> removed = new LinkedHashMap<>();
        AuditVerifier.TABLES.forEach(t -> removed.put(t.name(), 0L));
        long[] kept = {0};
        int batches = 0;
        long total = 0;
        for (ChainedTable table : AuditVerifier.TABLES) {
            Scan scan = new Scan(table);
            while (!scan.done) {
                List<Candidate> batch = next(scan, request, kept);
                if (batch.isEmpty()) {
                    continue;
                }
                Batch done = recorder.record(tx -> delete(tx, table, batch), b -> json(request, b));
                batches++;
                total += done.total();
                removed.merge(table.name(), done.total(), Long::sum);
                progress.accept(total);
            }
        }
        return new Result(removed, kept[0], batches);
    }

    private void refuseUnlessVerified() throws SQLException {
        AuditVerifier.Report report = new AuditVerifier(dataSource).verify(Optional.empty(), n -> {});
        if (!report.verifies()) {
            throw new IllegalStateException(
                    "audit verify finds " + report.breaks().size()
                            + " broken chain(s): removing records now would erase the evidence; purge nothing until"
                            + " `cdp-access audit verify` is explained");
        }
    }

    /**
     * The next records of a table that may go, at most a batch; scans on past records that stay.
     * Marks the scan done when nothing older than the cutoff is left after it.
     */
    private List<Candidate> next(Scan scan, Request request, long[] kept) throws SQLException {
        ChainedTable t = scan.table;
        String id = t.columns().get(0).name();
        String time = t.timeColumn();
        boolean changes = t.name().equals(ChainedTable.CHANGES.name());
        String sql = "SELECT " + id + ", " + time + ", chain_id, chain_seq, prev_hash, record_hash"
                + (changes ? ", action" : "") + " FROM " + t.name() + " WHERE " + time + " < ? AND (" + time
                + " > ? OR (" + time + " = ? AND " + id + " > ?)) ORDER BY " + time + ", " + id + " LIMIT "
                + batchSize;
        List<Candidate> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            List<Object[]> rows = Jdbc.query(
                    c, sql, List.of(request.cutoff().toEpochMilli(), scan.at, scan.at, scan.id), rs -> new Object[] {
                        new Candidate(
                                rs.getString(1),
                                rs.getLong(2),
                                rs.getString(3),
                                rs.getLong(4),
                                Hash.orNull(rs.getBytes(5)),
                                Hash.orNull(rs.getBytes(6))),
                        changes ? rs.getString(7) : null
                    });
            for (Object[] row : rows) {
                Candidate candidate = (Candidate) row[0];
                scan.at = candidate.at();
                scan.id = candidate.id();
                if (changes && (ACTION.equals(row[1]) || request.kept().contains(candidate.id()))) {
                    kept[0]++;
                } else {
                    out.add(candidate);
                }
            }
            scan.done = rows.size() < batchSize;
        }
        return out;
    }

    /** Deletes a batch's records by id and says what went, with the anchors of their chains. */
    private static Batch delete(Connection tx, ChainedTable table, List<Candidate> batch) throws SQLException {
        String id = table.columns().get(0).name();
        int chunk = 500;
        long deleted = 0;
        for (int from = 0; from < batch.size(); from += chunk) {
            List<Candidate> part = batch.subList(from, Math.min(batch.size(), from + chunk));
            try (PreparedStatement ps = tx.prepareStatement("DELETE FROM " + table.name() + " WHERE " + id + " IN ("
                    + part.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")")) {
                for (int i = 0; i < part.size(); i++) {
                    ps.setString(i + 1, part.get(i).id());
                }
                deleted += ps.executeUpdate();
            }
        }
        if (deleted != batch.size()) {
            throw new SQLException(table.name() + ": " + batch.size() + " records to purge, " + deleted
                    + " found: the table changed while purging; run cdp-access audit verify");
        }
        long unchained = batch.stream().filter(c -> c.chainId() == null).count();
        return new Batch(Map.of(table.name(), deleted), unchained, anchors(table, batch));
    }

    /** Per chain, the runs of consecutive places removed, each with the hashes at its ends. */
    private static List<PurgeAnchors.Anchor> anchors(ChainedTable table, List<Candidate> batch) throws SQLException {
        Map<String, List<Candidate>> byChain = batch.stream()
                .filter(c -> c.chainId() != null)
                .collect(Collectors.groupingBy(Candidate::chainId, java.util.TreeMap::new, Collectors.toList()));
        List<PurgeAnchors.Anchor> anchors = new ArrayList<>();
        for (Map.Entry<String, List<Candidate>> e : byChain.entrySet()) {
            List<Candidate> rows = new ArrayList<>(e.getValue());
            rows.sort(Comparator.comparingLong(Candidate::seq));
            List<PurgeAnchors.Range> ranges = new ArrayList<>();
            Candidate first = null;
            Candidate last = null;
            for (Candidate c : rows) {
                if (c.previous() == null || c.hash() == null) {
                    throw new SQLException("record " + c.seq() + " of chain " + c.chainId() + " in " + table.name()
                            + " has no valid hash columns: run cdp-access audit verify");
                }
                if (last != null && c.seq() != last.seq() + 1) {
                    ranges.add(new PurgeAnchors.Range(first.seq(), last.seq(), first.previous(), last.hash(), ""));
                    first = null;
                }
                if (first == null) {
                    first = c;
                }
                last = c;
            }
            ranges.add(new PurgeAnchors.Range(first.seq(), last.seq(), first.previous(), last.hash(), ""));
            anchors.add(new PurgeAnchors.Anchor(table.name(), e.getKey(), ranges));
        }
        return anchors;
    }

    private static String json(Request request, Batch batch) {
        Map<String, Long> removed = new LinkedHashMap<>();
        AuditVerifier.TABLES.forEach(t -> removed.put(t.name(), batch.removed().getOrDefault(t.name(), 0L)));
        removed.put("unchained", batch.unchained());
        return PurgeAnchors.json(
                request.retention(), request.cutoff().toString(), request.by(), removed, batch.anchors());
    }
}
