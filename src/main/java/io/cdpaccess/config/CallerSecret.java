package io.cdpaccess.config;

import io.cdpaccess.ids.Sha256;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
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

    /**
     * Fewest bits a plain secret must carry. Failing callers are slowed, but one that presents the
     * right secret is always decided (REDCap shares one address with everything else on its host), so guessing is
     * kept out by the secret alone: 2^128 tries.
     */
    public static final int MIN_BITS = 128;

    /** How to make a good one, for every message that refuses one. */
    public static final String HOW_TO_MAKE = "make one with: cdp-access config new-secret (or: openssl rand -hex 32)";

    /** Characters that stay themselves in any part of a URL (RFC 3986 "unreserved"). */
    private static final String URL_SAFE_SYMBOLS = "-._~";

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
        for (int i = 0; i < configured.length(); i++) {
            char c = configured.charAt(i);
            if (!urlSafe(c)) {
                throw new IllegalArgumentException("secret contains " + describe(c)
                        + ", which a URL changes (a + arrives as a space, % starts an escape, # & / ? @ : end a part)"
                        + "; use only A-Z a-z 0-9 - _ . ~; " + HOW_TO_MAKE);
            }
        }
        int bits = estimatedBits(configured);
        if (bits < MIN_BITS) {
            throw new IllegalArgumentException("secret is too easy to guess: " + configured.length()
                    + " characters of its kind carry about " + bits + " bits, at least " + MIN_BITS
                    + " are needed (e.g. 27+ random base64url characters, 32+ hex digits); " + HOW_TO_MAKE);
        }
        return new CallerSecret(Sha256.of(configured), configured);
    }

    /**
     * An upper bound on the guessing work a secret takes, from its length and the kinds of
     * character it uses: all decimal digits count 10 symbols each, all hex digits of one case 16,
     * otherwise the sizes of the groups it draws on are added (lower-case letters 26, upper-case
     * 26, digits 10, {@code -._~} 4). Randomness cannot be read from one string, so this only
     * refuses what is certainly too short; a generated secret is what makes the bound true.
     */
    static int estimatedBits(String secret) {
        boolean lower = false;
        boolean upper = false;
        boolean digit = false;
        boolean symbol = false;
        boolean lowerHex = true;
        boolean upperHex = true;
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            lower |= c >= 'a' && c <= 'z';
            upper |= c >= 'A' && c <= 'Z';
            digit |= c >= '0' && c <= '9';
            symbol |= URL_SAFE_SYMBOLS.indexOf(c) >= 0;
            lowerHex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            upperHex &= (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
        }
        int alphabet;
        if (digit && !lower && !upper && !symbol) {
            alphabet = 10;
        } else if (lowerHex || upperHex) {
            alphabet = 16;
        } else {
            alphabet =
                    (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? URL_SAFE_SYMBOLS.length() : 0);
        }
        return (int) Math.floor(secret.length() * Math.log(alphabet) / Math.log(2));
    }

    private static boolean urlSafe(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || URL_SAFE_SYMBOLS.indexOf(c) >= 0;
    }

    /** Names a refused character without echoing the rest of the secret. */
    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (c > 0x20 && c < 0x7f) {
            return "'" + c + "'";
        }
        return String.format(Locale.ROOT, "the character U+%04X", (int) c);
    }

    /** A new secret: 256 random bits as base64url (43 characters), which no URL changes. */
    public static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
