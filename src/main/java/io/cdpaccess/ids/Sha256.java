package io.cdpaccess.ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one digest the service uses: caller secrets, policy versions, file change detection. */
public final class Sha256 {

    private Sha256() {}

    /** The digest of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** The digest of {@code text} encoded as UTF-8. */
    public static byte[] of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The first {@code bytes} bytes of the digest of {@code text}, as lower-case hex: a short fingerprint. */
    public static String hexPrefix(String text, int bytes) {
        return HexFormat.of().formatHex(of(text), 0, bytes);
    }
}
