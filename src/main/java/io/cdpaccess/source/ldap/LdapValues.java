package io.cdpaccess.source.ldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.util.StaticUtils;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Directory values as fact values: LDAP's text forms of integers, booleans and times, and Active
 * Directory's FILETIME.
 *
 * <p>A time is GeneralizedTime ({@code 20270630120000Z}) unless it is all digits, which is AD's
 * FILETIME ({@code accountExpires}, {@code pwdLastSet}, {@code lastLogonTimestamp}: 100 ns
 * intervals since 1601-01-01 UTC). GeneralizedTime always carries letters or a zone in practice
 * (AD and OpenLDAP write {@code Z}), and a FILETIME of any year after 1601 has far more digits
 * than a GeneralizedTime, so the two never meet. FILETIME's 0 and {@code 0x7FFFFFFFFFFFFFFF} mean
 * "never" (an account that does not expire, a password never set) and give no time at all.
 */
final class LdapValues {

    /** Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
    private static final long FILETIME_EPOCH_OFFSET_SECONDS = 11_644_473_600L;

    private static final long FILETIME_TICKS_PER_SECOND = 10_000_000L;

    private LdapValues() {}

    /** The value of one exposed attribute as its configured type, or empty when it has none or it does not parse. */
    static Optional<Object> typed(Attribute attribute, String type) {
        if (type.equals("list")) {
            return Optional.of(attribute == null ? List.of() : List.of(attribute.getValues()));
        }
        if (attribute == null || attribute.getValue() == null) {
            return Optional.empty();
        }
        String first = attribute.getValue();
        return switch (type) {
            case "string" -> Optional.of(first);
            case "int" -> integer(first).map(v -> (Object) v);
            case "bool" -> bool(first).map(v -> (Object) v);
            case "timestamp" -> time(first).map(v -> (Object) v);
            default -> throw new IllegalArgumentException("unknown attribute type " + type);
        };
    }

    static Optional<Long> integer(String text) {
        try {
            return Optional.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** LDAP's Boolean syntax is {@code TRUE} or {@code FALSE}; case is forgiven, nothing else is a boolean. */
    static Optional<Boolean> bool(String text) {
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "TRUE" -> Optional.of(true);
            case "FALSE" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** A GeneralizedTime or a FILETIME; empty for FILETIME's "never" values and for text that is neither. */
    static Optional<Instant> time(String text) {
        String t = text.strip();
        if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return integer(t).flatMap(LdapValues::fileTime);
        }
        try {
            return Optional.of(StaticUtils.decodeGeneralizedTime(t).toInstant());
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A FILETIME as an instant; 0 and {@link Long#MAX_VALUE} ("never") give none. */
    static Optional<Instant> fileTime(long ticks) {
        if (ticks <= 0 || ticks == Long.MAX_VALUE) {
            return Optional.empty();
        }
        long seconds = ticks / FILETIME_TICKS_PER_SECOND - FILETIME_EPOCH_OFFSET_SECONDS;
        long nanos = (ticks % FILETIME_TICKS_PER_SECOND) * 100;
        return Optional.of(Instant.ofEpochSecond(seconds, nanos));
    }
}
