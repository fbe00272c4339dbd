package io.cdpaccess.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.chain.Hash;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * A signed statement that, at {@code time}, the chain {@code chainId} of {@code table} held
 * {@code records} records ending in {@code head}: kept outside the database (the journal, a file
 * shipped elsewhere), it lets {@code audit verify --checkpoints} prove the database still holds
 * them, so that a chain rewritten from its start or cut short is caught too.
 *
 * <p>The signature is Ed25519 over {@link #signedText}, UTF-8:
 *
 * <pre>
 * cdp-access checkpoint 1
 * table: decisions
 * chain: 01JD...
 * records: 1204
 * head: 41d0...(64 hex digits)
 * time: 2026-12-01T10:15:00Z
 * last: no
 * key: 3f2a9c0d11e84b7a
 * </pre>
 *
 * @param last whether the writer wrote its last record (it stopped, the command ended): no record
 *     may follow {@code head} in the chain
 */
public record Checkpoint(
        String table,
        String chainId,
        long records,
        Hash head,
        Instant time,
        boolean last,
        String keyId,
        String signature) {

    /** What marks a checkpoint's JSON within a log line. */
    static final String MARK = "{\"type\":\"cdp-access-checkpoint\"";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Signs the head of a chain as of {@code time}. */
    static Checkpoint sign(String table, ChainHead head, Instant time, boolean last, CheckpointKeys.SigningKey key) {
        Checkpoint unsigned = new Checkpoint(table, head.chainId(), head.seq(), head.hash(), time, last, key.id(), "");
        return new Checkpoint(
                table,
                head.chainId(),
                head.seq(),
                head.hash(),
                time,
                last,
                key.id(),
                Base64.getEncoder().encodeToString(CheckpointKeys.sign(key, unsigned.signedText())));
    }

    /** The text the signature covers. */
    public String signedText() {
        return "cdp-access checkpoint 1\ntable: " + table + "\nchain: " + chainId + "\nrecords: " + records + "\nhead: "
                + head + "\ntime: " + time + "\nlast: " + (last ? "yes" : "no") + "\nkey: " + keyId + "\n";
    }

    /** Whether one of {@code keys} (by id) signed it. */
    public boolean signedBy(Map<String, PublicKey> keys) {
        PublicKey key = keys.get(keyId);
        if (key == null) {
            return false;
        }
        try {
            return CheckpointKeys.verify(key, signedText(), Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /** The checkpoint as one line of JSON, starting with {@link #MARK}. */
    public String json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "cdp-access-checkpoint");
        o.put("version", 1);
        o.put("table", table);
        o.put("chain_id", chainId);
        o.put("records", records);
        o.put("head_hash", head.toString());
        o.put("time", time.toString());
        o.put("last", last);
        o.put("key_id", keyId);
        o.put("signature", signature);
        return o.toString();
    }

    /**
     * The checkpoint in a line of a file, a journal export or a syslog message: the JSON from
     * {@link #MARK} on; empty when the line holds none.
     *
     * @throws IllegalArgumentException when it holds one that cannot be read
     */
    public static Optional<Checkpoint> find(String line) {
        int at = line.indexOf(MARK);
        if (at < 0) {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readerFor(JsonNode.class).readValue(line.substring(at));
            return Optional.of(new Checkpoint(
                    text(o, "table"),
                    text(o, "chain_id"),
                    o.path("records").asLong(-1),
                    Hash.of(HexFormat.of().parseHex(text(o, "head_hash"))),
                    Instant.parse(text(o, "time")),
                    bool(o, "last"),
                    text(o, "key_id"),
                    text(o, "signature")));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("a checkpoint that cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean bool(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isBoolean()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asBoolean();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asText();
    }

    @Override
    public String toString() {
        return json();
    }
}
