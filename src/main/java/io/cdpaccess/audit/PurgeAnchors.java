package io.cdpaccess.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.chain.Hash;
import io.cdpaccess.db.ChainedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The anchors of the {@code audit.purge} change records: which places of which chain a purge
 * removed, with the hash the first removed record followed and the hash of the last, so that a
 * verifier can step over exactly those gaps and no others. A purge record is a change record like
 * any other, chained: editing one breaks the changes chain; an anchor naming records that are
 * still there, or that do not follow the chain where it claims, breaks the chain it names.
 *
 * <p>The after value of a purge record, as JSON (the README's "Retention"):
 *
 * <pre>
 * {"format":1, "retention":"6y", "cutoff":"2020-12-03T00:00:00Z", "by":"alice", "removed":
 *  {"decisions":1000,"changes":0,"unchained":0}, "anchors":[{"table":"decisions","chain_id":"01J..",
 *  "ranges":[{"from":1,"to":1000,"previous_hash":"9f2c..","last_hash":"41d0.."}]}]}
 * </pre>
 */
final class PurgeAnchors {

    /** The action of a purge's change record. */
    static final String ACTION = "audit.purge";

    /** The version of the after value's layout. */
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Places {@code from..to} (inclusive) of a chain were removed by the purge record {@code by}.
     *
     * @param previous the hash the record at {@code from} followed: its {@code prev_hash}
     * @param last the {@code record_hash} of the record at {@code to}
     * @param by the change id of the purge record that says so
     */
    record Range(long from, long to, Hash previous, Hash last, String by) {}

    /** The removed ranges of one chain, in one purge record. */
    record Anchor(String table, String chainId, List<Range> ranges) {
        Anchor {
            ranges = List.copyOf(ranges);
        }
    }

    /** A purge record whose anchors cannot be read: a break of its own. */
    record Unreadable(String changeId, String chainId, long seq, String why) {}

    /** Ranges by table and chain, by their first place. */
    private final Map<String, TreeMap<Long, Range>> byChain = new HashMap<>();

    private final Set<Range> used = new HashSet<>();
    private final List<Unreadable> unreadable = new ArrayList<>();

    private PurgeAnchors() {}

    /** Every anchor of every chained purge record in the changes table. */
    static PurgeAnchors read(Connection c) throws SQLException {
        PurgeAnchors anchors = new PurgeAnchors();
        try (PreparedStatement ps = c.prepareStatement("SELECT change_id, chain_id, chain_seq, after_value FROM "
                + ChainedTable.CHANGES.name() + " WHERE action = ? AND chain_id IS NOT NULL")) {
            ps.setString(1, ACTION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    try {
                        for (Anchor a : parse(rs.getString(4), id)) {
                            for (Range r : a.ranges()) {
                                anchors.byChain
                                        .computeIfAbsent(key(a.table(), a.chainId()), k -> new TreeMap<>())
                                        .put(r.from(), r);
                            }
                        }
                    } catch (IllegalArgumentException e) {
                        anchors.unreadable.add(new Unreadable(id, rs.getString(2), rs.getLong(3), e.getMessage()));
                    }
                }
            }
        }
        return anchors;
    }

    /** The purge records whose anchors could not be read. */
    List<Unreadable> unreadable() {
        return List.copyOf(unreadable);
    }

    /** The range of that chain that starts at {@code place}, marked used. */
    Optional<Range> startingAt(String table, String chainId, long place) {
        TreeMap<Long, Range> ranges = byChain.get(key(table, chainId));
        Range r = ranges == null ? null : ranges.get(place);
        if (r != null) {
            used.add(r);
        }
        return Optional.ofNullable(r);
    }

    /** The range of that chain that ends at {@code place} with that last hash, if one does. */
    boolean endsAt(String table, String chainId, long place, Hash last) {
        TreeMap<Long, Range> ranges = byChain.get(key(table, chainId));
        return ranges != null
                && ranges.values().stream()
                        .anyMatch(r -> r.to() == place && r.last().equals(last));
    }

    /** The ranges of a table never stepped over, by chain, outside the chains in {@code skipped}. */
    Map<String, List<Range>> unused(String table, Set<String> skipped) {
        Map<String, List<Range>> out = new TreeMap<>();
        String prefix = table + "\u0000";
        byChain.forEach((k, ranges) -> {
            String chain = k.substring(prefix.length());
            if (k.startsWith(prefix) && !skipped.contains(chain)) {
                ranges.values().stream()
                        .filter(r -> !used.contains(r))
                        .forEach(r -> out.computeIfAbsent(chain, c -> new ArrayList<>())
                                .add(r));
            }
        });
        return out;
    }

    private static String key(String table, String chainId) {
        return table + "\u0000" + chainId;
    }

    /** The after value of a purge record. */
    static String json(String retention, String cutoff, String by, Map<String, Long> removed, List<Anchor> anchors) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("retention", retention);
        out.put("cutoff", cutoff);
        out.put("by", by);
        out.put("removed", removed);
        List<Object> list = new ArrayList<>();
        for (Anchor a : anchors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", a.table());
            m.put("chain_id", a.chainId());
            List<Object> ranges = new ArrayList<>();
            for (Range r : a.ranges()) {
                Map<String, Object> range = new LinkedHashMap<>();
                range.put("from", r.from());
                range.put("to", r.to());
                range.put("previous_hash", r.previous().toString());
                range.put("last_hash", r.last().toString());
                ranges.add(range);
            }
            m.put("ranges", ranges);
            list.add(m);
        }
        out.put("anchors", list);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a purge record is plain JSON", e);
        }
    }

    /**
     * The anchors of a purge record's after value.
     *
     * @throws IllegalArgumentException with a one-line reason when it is not one
     */
    static List<Anchor> parse(String after, String changeId) {
        JsonNode root;
        try {
            root = after == null ? null : JSON.readTree(after);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("its after value is not JSON", e);
        }
        if (root == null || !root.path("format").isInt() || root.get("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("its after value is not a purge record of format " + FORMAT);
        }
        JsonNode list = root.path("anchors");
        if (!list.isArray()) {
            throw new IllegalArgumentException("it has no list of anchors");
        }
        List<Anchor> anchors = new ArrayList<>();
        for (JsonNode a : list) {
            String table = text(a, "table");
            if (AuditVerifier.TABLES.stream().noneMatch(t -> t.name().equals(table))) {
                throw new IllegalArgumentException("an anchor of a table that is not chained: " + table);
            }
            String chain = text(a, "chain_id");
            List<Range> ranges = new ArrayList<>();
            for (JsonNode r : a.path("ranges")) {
                long from = whole(r, "from");
                long to = whole(r, "to");
                if (from < 1 || to < from) {
                    throw new IllegalArgumentException("a range " + from + ".." + to + " of chain " + chain);
                }
                ranges.add(new Range(from, to, hash(r, "previous_hash"), hash(r, "last_hash"), changeId));
            }
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("the anchor of chain " + chain + " has no ranges");
            }
            anchors.add(new Anchor(table, chain, ranges));
        }
        return anchors;
    }

    private static String text(JsonNode n, String field) {
        if (!n.path(field).isTextual()) {
            throw new IllegalArgumentException("an anchor without " + field);
        }
        return n.get(field).asText();
    }

    private static long whole(JsonNode n, String field) {
        if (!n.path(field).isIntegralNumber()) {
            throw new IllegalArgumentException("a range without " + field);
        }
        return n.get(field).asLong();
    }

    private static Hash hash(JsonNode n, String field) {
        String hex = n.path(field).asText("");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a range whose " + field + " is not 64 hex digits");
        }
        return Hash.of(HexFormat.of().parseHex(hex));
    }
}
