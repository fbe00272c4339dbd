package io.cdpaccess.cli;

import io.cdpaccess.config.Durations;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * Times typed by people on the command line, read in the configured zone. A bare date means a
 * whole day: as a start ({@code --from}) its first instant, as an end ({@code --until}) the end of
 * that day, so "until 2027-06-30" still allows on the evening of June 30th.
 */
final class TypedTime {

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private TypedTime() {}

    /** Start of a window: a date (start of day), local date-time, or an instant with offset. */
    static Instant start(String text, ZoneId zone, String option) {
        return parse(text, zone, option, false);
    }

    /** Exclusive end of a window: a date means the end of that day. */
    static Instant end(String text, ZoneId zone, String option) {
        return parse(text, zone, option, true);
    }

    /** A point in the past for {@code --since}: a duration back from now (24h, 30d) or a date/time. */
    static Instant since(String text, ZoneId zone, Clock clock) {
        try {
            return inRange(clock.instant().minus(Durations.parse(text)), text, "--since");
        } catch (ArithmeticException | DateTimeException tooFarBack) {
            throw new UserError("--since '" + text + "' reaches back before the year 1");
        } catch (IllegalArgumentException notADuration) {
            return start(text, zone, "--since");
        }
    }

    private static Instant parse(String text, ZoneId zone, String option, boolean endOfDay) {
        return inRange(parsed(text, zone, option, endOfDay), text, option);
    }

    /**
     * Refuses instants outside the years 1 to 9999: java.time reads years up to nine digits, but
     * the store keeps milliseconds in a long (which overflows near year 292 million) and SQL
     * timestamps stop at 9999.
     */
    static Instant inRange(Instant instant, String text, String option) {
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw new UserError(option + " '" + text + "' is outside the years 1 to 9999");
        }
        return instant;
    }

    private static Instant parsed(String text, ZoneId zone, String option, boolean endOfDay) {
        String s = text.strip();
        try {
            if (s.length() == 10) {
                LocalDate date = LocalDate.parse(s);
                return (endOfDay ? date.plusDays(1) : date).atStartOfDay(zone).toInstant();
            }
            if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(s).toInstant();
            }
            return LocalDateTime.parse(s).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw new UserError(option + " '" + text + "': expected a date like 2027-06-30, a time like "
                    + "2027-06-30T17:00 (zone " + zone + "), or an instant like 2027-06-30T22:00:00Z");
        }
    }
}
