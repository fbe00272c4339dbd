package io.cdpaccess.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the normalized REDCap username becomes a source's key, in this order: taken from another
 * source's fact ({@code via}, e.g. {@code redcap.ehr_usernames}: REDCap's own map to the EHR
 * username, the first one when it is a list), the domain after {@code @} stripped, a regular
 * expression replaced, a domain added. With none of them the key is the normalized username.
 *
 * @param via {@code source.fact} whose value is the key; that source is asked first
 * @param stripDomain whether {@code jdoe@example.edu} becomes {@code jdoe}
 * @param replace a pattern matched against the whole key, and its replacement ({@code $1}...)
 * @param addDomain appended after {@code @} when the key has no domain
 */
public record IdentityMapping(
        Optional<String> via, boolean stripDomain, Optional<Replace> replace, Optional<String> addDomain) {

    public static final IdentityMapping NONE =
            new IdentityMapping(Optional.empty(), false, Optional.empty(), Optional.empty());

    /** A whole-key regular expression and its replacement; compared by their text. */
    public record Replace(String pattern, String with) {
        public Replace {
            Pattern.compile(pattern); // refused at load when it does not compile
        }

        public Pattern compiled() {
            return Pattern.compile(pattern);
        }
    }

    /** The source that {@link #via} names, if any. */
    public Optional<String> viaSource() {
        return via.map(v -> v.substring(0, v.indexOf('.')));
    }

    /** The fact of that source that {@link #via} names, if any. */
    public Optional<String> viaFact() {
        return via.map(v -> v.substring(v.indexOf('.') + 1));
    }
}
