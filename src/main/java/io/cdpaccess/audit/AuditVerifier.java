package io.cdpaccess.audit;

import io.cdpaccess.chain.ChainHash;
import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.chain.Hash;
import io.cdpaccess.db.AuditChains;
import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * Walks every chain of the decision and change records and reports, per chain, the first record
 * that was modified, removed, inserted or reordered since it was written, and every chain start
 * that was changed or whose link to the run before no longer holds.
 *
 * <p>What the database alone cannot show: the newest records of a chain, or a whole newest run,
 * removed (a truncated tail leaves a shorter chain that still verifies). Only a checkpoint kept
 * elsewhere, naming a chain's head at some moment, shows that.
 */
public final class AuditVerifier {

    /** What kind of break a record shows. */
    public enum Kind {
        /** Its stored values, or its place in the chain, no longer give its stored hash. */
        MODIFIED,
        /** Records before it are missing. */
        REMOVED,
        /** A record that was never written by its chain's writer is there. */
        INSERTED,
        /** It is intact but stored at another place than it was written at. */
        REORDERED,
        /** A chain's start row was changed, or its link to the run before it no longer holds. */
        START,
        /** A checkpoint commits to a record the database no longer holds: records were cut off. */
        TRUNCATED,
        /** A checkpoint commits to a record the database holds with another hash: the chain was rewritten. */
        REWRITTEN,
        /** A checkpoint whose signature no known key makes: forged, damaged, or its key not kept. */
        UNSIGNED,
        /** A record follows a chain's last checkpoint: written after its writer had stopped. */
        APPENDED,
        /**
         * A purge record's anchor does not match the chain it names: it claims records removed
         * that are still there, or that do not follow the chain where it says.
         */
        ANCHOR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The first break found in one chain.
     *
     * @param recordId the record's id ({@code decision_id}, {@code change_id}), or the chain's for a start
     */
    public record Break(String table, String chainId, long seq, String recordId, Kind kind, String message) {}

    /**
     * What a verification found.
     *
     * @param records chained records checked
     * @param chains chains checked
     * @param unchained records written before chains existed (before the upgrade to this version):
     *     not covered
     */
    public record Report(long records, int chains, long unchained, List<Break> breaks) {
        public Report {
            breaks = List.copyOf(breaks);
        }

        public boolean verifies() {
            return breaks.isEmpty();
        }
    }

    /** The tables whose records are chained, in the order they are verified. */
    static final List<ChainedTable> TABLES = List.of(DecisionTable.CHAINED, ChainedTable.CHANGES);

    private final DataSource dataSource;

    public AuditVerifier(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Verifies every chain, or with {@code since} the records from then on (each chain from its
     * first record since then, which is taken as written).
     *
     * @param progress told the number of records checked so far, every so often
     */
    public Report verify(Optional<Instant> since, LongConsumer progress) throws SQLException {
        long[] records = {0};
        int chains = 0;
        long unchained = 0;
        List<Break> breaks = new ArrayList<>();
        try (Connection pooled = dataSource.getConnection()) {
            // One snapshot: a chain started or a purge batch committed meanwhile is seen whole or not at all.
            try (ReadSnapshot snapshot = ReadSnapshot.begin(pooled)) {
                Connection c = snapshot.connection();
                PurgeAnchors anchors = PurgeAnchors.read(c);
                for (PurgeAnchors.Unreadable u : anchors.unreadable()) {
                    breaks.add(new Break(
                            ChainedTable.CHANGES.name(),
                            u.chainId(),
                            u.seq(),
                            u.changeId(),
                            Kind.ANCHOR,
                            "a purge record whose anchors cannot be read: " + u.why()));
                }
                for (ChainedTable table : TABLES) {
                    List<AuditChains.Start> starts = AuditChains.all(c, table.name());
                    chains += starts.size();
                    Map<String, AuditChains.Start> byId = new java.util.LinkedHashMap<>();
                    for (int i = 0; i < starts.size(); i++) {
                        AuditChains.Start start = starts.get(i);
                        byId.put(start.chainId(), start);
                        if (since.isEmpty()
                                || start.startedAtMs() >= since.get().toEpochMilli()) {
                            checkStart(c, table, start, i == 0, anchors, breaks);
                        }
                    }
                    walk(c, table, byId, since, anchors, records, progress, breaks);
                    unchained += unchained(c, table, starts, since, breaks);
                }
            }
        }
        return new Report(records[0], chains, unchained, breaks);
    }

    /**
     * Checks that the database still holds what each checkpoint committed to: the record at the
     * checkpoint's place in its chain, with the checkpoint's hash. A checkpoint not signed by one
     * of {@code keys} proves nothing and is a break of its own.
     *
     * @return one break per checkpoint that does not hold, in the checkpoints' order
     */
    public List<Break> checkpoints(List<Checkpoint> checkpoints, Map<String, java.security.PublicKey> keys)
            throws SQLException {
        List<Break> breaks = new ArrayList<>();
        Map<String, ChainedTable> tables = new HashMap<>();
        TABLES.forEach(t -> tables.put(t.name(), t));
        try (Connection c = dataSource.getConnection()) {
            for (Checkpoint cp : checkpoints) {
                ChainedTable table = tables.get(cp.table());
                String when = "the checkpoint of " + cp.time() + " (key " + cp.keyId() + ")";
                if (table == null || !cp.signedBy(keys)) {
                    breaks.add(new Break(
                            cp.table(),
                            cp.chainId(),
                            cp.records(),
                            "-",
                            Kind.UNSIGNED,
                            when + " is not signed by a known checkpoint key"));
                    continue;
                }
                Optional<Hash> stored = storedHash(c, table, new ChainHead(cp.chainId(), cp.records(), cp.head()));
                if (stored.isEmpty()) {
                    breaks.add(new Break(
                            table.name(),
                            cp.chainId(),
                            cp.records(),
                            "-",
                            Kind.TRUNCATED,
                            when + " commits to " + cp.records() + " records; record " + cp.records()
                                    + " of the chain is missing: its tail was cut off"));
                } else if (!stored.get().equals(cp.head())) {
                    breaks.add(new Break(
                            table.name(),
                            cp.chainId(),
                            cp.records(),
                            "-",
                            Kind.REWRITTEN,
                            when + " commits to another hash for record " + cp.records()
                                    + ": the chain was rewritten"));
                } else if (cp.last()) {
                    long beyond = Jdbc.query(
                                    c,
                                    "SELECT COUNT(*) FROM " + table.name() + " WHERE chain_id = ? AND chain_seq > ?",
                                    List.of(cp.chainId(), cp.records()),
                                    rs -> rs.getLong(1))
                            .get(0);
                    if (beyond > 0) {
                        breaks.add(new Break(
                                table.name(),
                                cp.chainId(),
                                cp.records() + 1,
                                "-",
                                Kind.APPENDED,
                                beyond + " record(s) follow " + when + ", the last of its writer: added after it"
                                        + " stopped"));
                    }
                }
            }
        }
        return breaks;
    }

    private static void checkStart(
            Connection c,
            ChainedTable table,
            AuditChains.Start start,
            boolean first,
            PurgeAnchors anchors,
            List<Break> breaks)
            throws SQLException {
        if (!start.computedHash().equals(start.startHash())) {
            breaks.add(startBreak(table, start, "its start row was changed (writer, time or link)"));
            return;
        }
        if (start.previous().isEmpty()) {
            if (!first) {
                breaks.add(startBreak(table, start, "it links to no earlier run, though earlier chains exist"));
            }
            return;
        }
        ChainHead previous = start.previous().get();
        Optional<Hash> stored = storedHash(c, table, previous);
        if (stored.isEmpty() && anchors.endsAt(table.name(), previous.chainId(), previous.seq(), previous.hash())) {
            return; // purged, and a purge record's anchor names that very record as the last it removed
        }
        if (stored.isEmpty() || !stored.get().equals(previous.hash())) {
            breaks.add(startBreak(
                    table,
                    start,
                    "it starts after record " + previous.seq() + " of chain " + previous.chainId() + ", which is "
                            + (stored.isEmpty() ? "missing" : "changed")
                            + ": records of an earlier run were removed or rewritten"));
        }
    }

    private static Break startBreak(ChainedTable table, AuditChains.Start start, String why) {
        return new Break(table.name(), start.chainId(), 0, start.chainId(), Kind.START, why);
    }

    /** The hash stored for a head: a chain's start row for seq 0, else the record at that place. */
    private static Optional<Hash> storedHash(Connection c, ChainedTable table, ChainHead head) throws SQLException {
        if (head.seq() == 0) {
            return Jdbc.query(
                            c,
                            "SELECT start_hash FROM " + AuditChains.TABLE + " WHERE chain_id = ?",
                            List.of(head.chainId()),
                            rs -> Optional.ofNullable(Hash.orNull(rs.getBytes(1))))
                    .stream()
                    .findFirst()
                    .flatMap(h -> h);
        }
        return Jdbc.query(
                        c,
                        "SELECT record_hash FROM " + table.name() + " WHERE chain_id = ? AND chain_seq = ?",
                        List.of(head.chainId(), head.seq()),
                        rs -> Optional.ofNullable(Hash.orNull(rs.getBytes(1))))
                .stream()
                .findFirst()
                .flatMap(h -> h);
    }

    /** Where a chain's walk stands. */
    private static final class Walk {
        final String chainId;
        long seq;
        Hash hash;
        Hash beforeHash;
        String id;
        boolean broken;

        Walk(String chainId, long seq, Hash hash) {
            this.chainId = chainId;
            this.seq = seq;
            this.hash = hash;
        }
    }

    private static void walk(
            Connection c,
            ChainedTable table,
            Map<String, AuditChains.Start> starts,
            Optional<Instant> since,
            PurgeAnchors anchors,
            long[] records,
            LongConsumer progress,
            List<Break> breaks)
            throws SQLException {
        java.util.Set<String> walked = new java.util.HashSet<>();
        java.util.Set<String> broken = new java.util.HashSet<>();
        String sql = table.selectSql() + " WHERE chain_id IS NOT NULL"
                + (since.isPresent() ? " AND " + table.timeColumn() + " >= ?" : "")
                + " ORDER BY chain_id, chain_seq";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(1000);
            if (since.isPresent()) {
                ps.setLong(1, since.get().toEpochMilli());
            }
            try (ResultSet rs = ps.executeQuery()) {
                Walk walk = null;
                while (rs.next()) {
                    List<Object> values = table.read(rs);
                    ChainedTable.Position at = table.position(rs);
                    String id = String.valueOf(values.get(0));
                    if (walk == null || !walk.chainId.equals(at.chainId())) {
                        finish(table, walk, anchors, broken, breaks);
                        walked.add(at.chainId());
                        AuditChains.Start start = starts.get(at.chainId());
                        if (start == null) {
                            breaks.add(new Break(
                                    table.name(),
                                    at.chainId(),
                                    at.seq(),
                                    id,
                                    Kind.INSERTED,
                                    "it names chain " + at.chainId() + ", which has no start row"));
                            walk = new Walk(at.chainId(), at.seq(), at.hash());
                            walk.broken = true;
                        } else {
                            boolean fromStart = since.isEmpty()
                                    || start.startedAtMs() >= since.get().toEpochMilli();
                            walk = fromStart
                                    ? new Walk(start.chainId(), 0, start.startHash())
                                    : new Walk(start.chainId(), at.seq() - 1, at.previous());
                        }
                    }
                    records[0]++;
                    if (records[0] % 10_000 == 0) {
                        progress.accept(records[0]);
                    }
                    if (!walk.broken) {
                        check(c, table, walk, values, at, id, anchors, breaks);
                    }
                    walk.beforeHash = walk.hash;
                    walk.seq = at.seq();
                    walk.hash = at.hash();
                    walk.id = id;
                }
                finish(table, walk, anchors, broken, breaks);
            }
        }
        progress.accept(records[0]);
        if (since.isEmpty()) {
            // A chain whose every record was purged: its anchors must step from its start to its end.
            for (AuditChains.Start start : starts.values()) {
                if (!walked.contains(start.chainId())) {
                    finish(table, new Walk(start.chainId(), 0, start.startHash()), anchors, broken, breaks);
                }
            }
            anchors.unused(table.name(), broken).forEach((chain, ranges) -> {
                PurgeAnchors.Range r = ranges.get(0);
                breaks.add(new Break(
                        table.name(),
                        chain,
                        r.from(),
                        r.by(),
                        Kind.ANCHOR,
                        "purge record " + r.by() + " says places " + r.from() + ".." + r.to() + " of chain " + chain
                                + " were removed, but "
                                + (starts.containsKey(chain)
                                        ? "they are there, or do not follow the chain there"
                                        : "there is no such chain")));
            });
        }
    }

    /**
     * At the end of a chain's records: steps over the ranges purged from its tail (or, for a chain
     * with no record left, from its start), which must follow on from where the walk stands.
     */
    private static void finish(
            ChainedTable table, Walk walk, PurgeAnchors anchors, java.util.Set<String> broken, List<Break> breaks) {
        if (walk == null) {
            return;
        }
        if (walk.broken) {
            broken.add(walk.chainId);
            return;
        }
        Optional<String> problem = bridge(table, walk, Long.MAX_VALUE, anchors);
        if (problem.isPresent()) {
            broken.add(walk.chainId);
            breaks.add(new Break(
                    table.name(),
                    walk.chainId,
                    walk.seq + 1,
                    walk.id == null ? walk.chainId : walk.id,
                    Kind.ANCHOR,
                    problem.get()));
        }
    }

    /**
     * Steps the walk over the purged ranges that start right after it, up to the record at
     * {@code next}: each must follow the hash the walk stands at, and end before that record.
     *
     * @return what does not hold, if anything
     */
    private static Optional<String> bridge(ChainedTable table, Walk walk, long next, PurgeAnchors anchors) {
        while (true) {
            Optional<PurgeAnchors.Range> range = anchors.startingAt(table.name(), walk.chainId, walk.seq + 1);
            if (range.isEmpty()) {
                return Optional.empty();
            }
            PurgeAnchors.Range r = range.get();
            if (!r.previous().equals(walk.hash)) {
                return Optional.of("purge record " + r.by() + " says places " + r.from() + ".." + r.to()
                        + " were removed after a record with another hash than the one at place " + walk.seq);
            }
            if (next <= r.to()) {
                return Optional.of("purge record " + r.by() + " says places " + r.from() + ".." + r.to()
                        + " were removed, but place " + next + " is there");
            }
            walk.seq = r.to();
            walk.hash = r.last();
            walk.beforeHash = null;
        }
    }

    /** Checks one record against the one before it; a break stops the chain's checks. */
    private static void check(
            Connection c,
            ChainedTable table,
            Walk walk,
            List<Object> values,
            ChainedTable.Position at,
            String id,
            PurgeAnchors anchors,
            List<Break> breaks)
            throws SQLException {
        Kind kind = null;
        String why = null;
        long place = at.seq();
        String breakId = id;
        Optional<String> anchorProblem =
                at.seq() > walk.seq + 1 ? bridge(table, walk, at.seq(), anchors) : Optional.empty();
        if (at.hash() == null || at.previous() == null) {
            kind = Kind.MODIFIED;
            why = "its hash columns are missing or damaged";
        } else if (!ChainHash.of(at.previous(), table.name(), values).equals(at.hash())) {
            kind = Kind.MODIFIED;
            why = "its stored values no longer give its hash";
        } else if (anchorProblem.isPresent()) {
            kind = Kind.ANCHOR;
            why = anchorProblem.get();
        } else if (at.seq() == walk.seq) {
            kind = Kind.INSERTED;
            why = "a second record at place " + at.seq();
        } else if (!at.previous().equals(walk.hash)) {
            if (walk.beforeHash != null && at.previous().equals(walk.beforeHash)) {
                kind = Kind.INSERTED;
                why = "it was not written by this chain: the record after it links to the one before it";
                place = walk.seq;
                breakId = walk.id;
            } else if (placeOf(c, table, walk.chainId, at.previous()).isPresent()) {
                kind = Kind.REORDERED;
                why = "it was written after the record now at place "
                        + placeOf(c, table, walk.chainId, at.previous()).get() + ", not after place " + walk.seq;
            } else {
                kind = Kind.REMOVED;
                long missing = at.seq() - walk.seq - 1;
                why = (missing > 0 ? missing + " record(s)" : "the record") + " before it, after place " + walk.seq
                        + ", were removed";
            }
        } else if (at.seq() != walk.seq + 1) {
            kind = Kind.MODIFIED;
            why = "its place was renumbered from " + (walk.seq + 1);
        }
        if (kind != null) {
            walk.broken = true;
            breaks.add(new Break(table.name(), walk.chainId, place, breakId, kind, why));
        }
    }

    /** The place in the chain of the record with this hash, if it is there. */
    private static Optional<Long> placeOf(Connection c, ChainedTable table, String chainId, Hash hash)
            throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT chain_seq, record_hash FROM " + table.name() + " WHERE chain_id = ?",
                        List.of(chainId),
                        rs -> hash.equals(Hash.orNull(rs.getBytes(2))) ? rs.getLong(1) : null)
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }

    /**
     * Records without a chain: those written before this version are not covered; one dated after
     * the first chain started was put there outside cdp-access.
     */
    private static long unchained(
            Connection c,
            ChainedTable table,
            List<AuditChains.Start> starts,
            Optional<Instant> since,
            List<Break> breaks)
            throws SQLException {
        long firstStart = starts.isEmpty() ? Long.MAX_VALUE : starts.get(0).startedAtMs();
        String time = table.timeColumn();
        String id = table.columns().get(0).name();
        List<long[]> counts = Jdbc.query(
                c,
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN " + time + " >= ? THEN 1 ELSE 0 END), 0) FROM "
                        + table.name() + " WHERE chain_id IS NULL"
                        + (since.isPresent() ? " AND " + time + " >= ?" : ""),
                since.isPresent() ? List.of(firstStart, since.get().toEpochMilli()) : List.of(firstStart),
                rs -> new long[] {rs.getLong(1), rs.getLong(2)});
        long[] n = counts.get(0);
        if (n[1] > 0) {
            String first = Jdbc.query(
                            c,
                            "SELECT " + id + " FROM " + table.name() + " WHERE chain_id IS NULL AND " + time
                                    + " >= ? ORDER BY " + time + " LIMIT 1",
                            List.of(firstStart),
                            rs -> rs.getString(1))
                    .get(0);
            breaks.add(new Break(
                    table.name(),
                    "-",
                    0,
                    first,
                    Kind.INSERTED,
                    n[1] + " record(s) without a chain are dated after chains began: not written by cdp-access"));
        }
        return n[0] - n[1];
    }
}
