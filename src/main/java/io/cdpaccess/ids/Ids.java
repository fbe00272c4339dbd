package io.cdpaccess.ids;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers for decisions, grants and blocks: 26 characters of Crockford base32 encoding a
 * 48-bit millisecond timestamp and 80 random bits (the ULID layout). They sort by creation time,
 * are safe in URLs, headers and file names, and need no coordination between servers.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private Ids() {}

    /** A new identifier stamped with the clock's current time. */
    public static String next(Clock clock) {
        long millis = clock.millis();
        char[] out = new char[26];
        // 10 characters of timestamp: 50 bits, of which the top 2 are zero until the year 10889.
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 10; i < 26; i++) {
            out[i] = ALPHABET[random.nextInt(32)]; // 16 x 5 = 80 random bits
        }
        return new String(out);
    }
}
