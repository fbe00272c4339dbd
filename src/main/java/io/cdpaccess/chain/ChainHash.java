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
        MessageDigest digest = sha256();
        digest.update(previous.bytes());
        update(digest, table);
        for (Object field : fields) {
            update(digest, field);
        }
        return Hash.of(digest.digest());
    }

    private static void update(MessageDigest digest, Object field) {
        if (field == null) {
            digest.update(NULL);
        } else if (field instanceof Long || field instanceof Integer) {
            digest.update(INTEGER);
            digest.update(ByteBuffer.allocate(Long.BYTES)
                    .putLong(((Number) field).longValue())
                    .array());
        } else if (field instanceof String text) {
            lengthPrefixed(digest, TEXT, text.getBytes(StandardCharsets.UTF_8));
        } else if (field instanceof byte[] bytes) {
            lengthPrefixed(digest, BYTES, bytes);
        } else {
            throw new IllegalArgumentException("a chained field is null, a whole number, text or bytes, not a "
                    + field.getClass().getSimpleName());
        }
    }

    private static void lengthPrefixed(MessageDigest digest, byte tag, byte[] bytes) {
        digest.update(tag);
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
