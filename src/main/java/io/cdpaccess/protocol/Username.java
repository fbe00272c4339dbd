package io.cdpaccess.protocol;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one username normalization used everywhere: by the endpoint, the store, the CLI and the
 * decision log's filters.
 *
 * <p>REDCap usernames are case-insensitive in practice (its tables use {@code _unicode_ci}
 * collations), and people type names with stray spaces. Canonical form is therefore: surrounding
 * white space removed, lower case in the root locale (so that a Turkish default locale cannot turn
 * {@code I} into a dotless {@code ı}), then Unicode NFC. NFC comes last because lower-casing can
 * undo it: {@code J} + combining caron has no precomposed capital but its lower case composes to
 * {@code ǰ}, and {@code İ} lower-cases to {@code i} + combining dot, which may need reordering.
 */
public final class Username {

    private Username() {}

    /** Returns the canonical form of a username; never null for a non-null argument. */
    public static String normalize(String raw) {
        return Normalizer.normalize(raw.strip().toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
    }
}
