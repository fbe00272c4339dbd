package io.cdpaccess.chain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The hash that links an audit record to the one before it, over an encoding simple enough to
 * re-implement from this description (the README's "Verifying the record" gives it in full):
 *
 * <pre>
 * hash = SHA-256( previous hash (32 bytes) || field_1 || field_2 || ... )
 * field = 0x00                                          null
 *       | 0x01 || 8-byte big-endian two's complement     whole number (epoch milliseconds, ids)
 *       | 0x02 || 4-byte big-endian length || UTF-8      text, exactly as stored (truncated)
 *       | 0x03 || 4-byte big-endian length || bytes      bytes (a deflated explanation)
 * </pre>
 *
 * The first field is always the table's name ({@code decisions}, {@code changes}, {@code
 * audit_chains}), so that a record cannot be moved to another table and still verify; the rest are
 * the record's stored columns in the order the README lists for that table. A chain's first
 * record follows its start record, whose previous hash is 32 zero bytes.
 */
public final class ChainHash {

    /** The length of a hash, in bytes. */
    public static final int LENGTH = 32;

    private static final byte NULL = 0x00;
    private static final byte INTEGER = 0x01;
    private static final byte TEXT = 0x02;
    private static final byte BYTES = 0x03;

    private ChainHash() {}

    /**
     * The hash of a record of {@code table} whose stored values are {@code fields} ({@code null},
     * {@code Long} or {@code Integer}, {@code String}, {@code byte[]}), following {@code previous}.
     */
    public static Hash of(Hash previous, String table, List<?> fields) {
        Hasher hasher = HASHER.get();
        MessageDigest digest = hasher.digest;
        digest.reset();
        digest.update(previous.bytes());
        update(hasher, table);
        for (Object field : fields) {
            update(hasher, field);
        }
        return Hash.of(digest.digest());
    }

    /**
     * A digest and a scratch buffer for the fields' tags and numbers, one per thread and reused:
     * {@code audit verify} hashes millions of records, and looking the algorithm up and
     * allocating per field cost about as much as hashing.
     */
    private static final class Hasher {
        final MessageDigest digest = sha256();
        final byte[] bytes = new byte[1 + Long.BYTES];
        final ByteBuffer scratch = ByteBuffer.wrap(bytes);
    }

    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

    private static void update(Hasher hasher, Object field) {
        MessageDigest digest = hasher.digest;
        if (field == null) {
            digest.update(NULL);
        } else if (field instanceof Long || field instanceof Integer) {
            ByteBuffer scratch = hasher.scratch.clear();
            scratch.put(INTEGER).putLong(((Number) field).longValue());
            digest.update(hasher.bytes, 0, scratch.position());
        } else if (field instanceof String text) {
            lengthPrefixed(hasher, TEXT, text.getBytes(StandardCharsets.UTF_8));
        } else if (field instanceof byte[] bytes) {
            lengthPrefixed(hasher, BYTES, bytes);
        } else {
            throw new IllegalArgumentException("a chained field is null, a whole number, text or bytes, not a "
                    + field.getClass().getSimpleName());
        }
    }

    private static void lengthPrefixed(Hasher hasher, byte tag, byte[] bytes) {
        ByteBuffer scratch = hasher.scratch.clear();
        scratch.put(tag).putInt(bytes.length);
        hasher.digest.update(hasher.bytes, 0, scratch.position());
        hasher.digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
