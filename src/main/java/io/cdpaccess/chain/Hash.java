package io.cdpaccess.chain;

import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 hash of the chain: 32 bytes, immutable, shown as lower-case hex. */
public final class Hash {

    /** The previous hash of a chain's start record: 32 zero bytes. */
    public static final Hash NONE = new Hash(new byte[ChainHash.LENGTH]);

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * The hash of these bytes as stored.
     *
     * @throws IllegalArgumentException when they are not 32 bytes
     */
    public static Hash of(byte[] bytes) {
        if (bytes == null || bytes.length != ChainHash.LENGTH) {
            throw new IllegalArgumentException(
                    "a hash has 32 bytes, not " + (bytes == null ? "none" : String.valueOf(bytes.length)));
        }
        return new Hash(bytes.clone());
    }

    /** The hash as stored, or null when {@code bytes} are not one (a missing or damaged column). */
    public static Hash orNull(byte[] bytes) {
        return bytes == null || bytes.length != ChainHash.LENGTH ? null : new Hash(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && Arrays.equals(h.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
