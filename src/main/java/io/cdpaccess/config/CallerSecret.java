package io.cdpaccess.config;

import io.cdpaccess.ids.Sha256;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The shared secret by which one REDCap installation authenticates itself (the {@code secret}
 * query parameter or the HTTP Basic password of the URL pasted into REDCap).
 *
 * <p>Only the SHA-256 digest is kept for matching, so configuration may give the secret hashed
 * ({@code sha256:<hex>}) and the comparison runs in constant time over digests of equal length,
 * whatever the presented text. The plain text is kept only when the configuration held it, to
 * print the URL on first run; {@link #toString()} never shows either.
 */
public final class CallerSecret {

    /** Shortest plain-text secret accepted: 16 characters is about 96 bits from a password generator. */
    public static final int MIN_PLAIN_LENGTH = 16;

    private final byte[] digest;
    private final String plainText;

    private CallerSecret(byte[] digest, String plainText) {
        this.digest = digest;
        this.plainText = plainText;
    }

    /**
     * Reads a configured secret: {@code sha256:<64 hex digits>} or the plain text itself.
     *
     * @throws IllegalArgumentException with a one-line reason that never quotes the secret
     */
    public static CallerSecret parse(String configured) {
        if (configured == null || configured.isEmpty()) {
            throw new IllegalArgumentException("secret is empty");
        }
        if (configured.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
            String hex = configured.substring("sha256:".length()).strip();
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("sha256: must be followed by 64 hex digits");
            }
            return new CallerSecret(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)), null);
        }
        if (configured.length() < MIN_PLAIN_LENGTH) {
            throw new IllegalArgumentException("secret is shorter than " + MIN_PLAIN_LENGTH
                    + " characters; generate one with: openssl rand -base64 32");
        }
        if (!configured.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("secret must be printable ASCII without spaces (it is part of a URL)");
        }
        return new CallerSecret(Sha256.of(configured), configured);
    }

    /** {@code sha256:<hex>} of a plain secret, for writing hashed secrets into configuration. */
    public static String hashed(String plainText) {
        return "sha256:" + HexFormat.of().formatHex(Sha256.of(plainText));
    }

    /** Constant-time comparison of a presented secret with this one. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(digest, Sha256.of(presented == null ? "" : presented));
    }

    /** The plain text, when the configuration held it rather than a hash. */
    public Optional<String> plainText() {
        return Optional.ofNullable(plainText);
    }

    /** Whether two configured secrets are the same secret (used to refuse duplicates). */
    public boolean sameAs(CallerSecret other) {
        return MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public String toString() {
        return "CallerSecret[****]";
    }
}
