package io.cdpaccess.source.sql;

import io.cdpaccess.config.FactField;
import io.cdpaccess.source.FactFields;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a column's value becomes a fact of its declared type, by what the driver says the column
 * is: numbers, booleans, dates and timestamps are read as such (a {@code TIMESTAMP WITH TIME
 * ZONE} as the instant it is, one without, and a {@code DATETIME}, in the source's zone; a date
 * as the end of that day there), a character column through {@link FactFields#fromText}, as a
 * roster's cell would be. Anything else is a {@link Mismatch}: a column declared {@code int}
 * that holds {@code 2.5} is a configuration to fix, not a value to guess at.
 */
final class SqlValues {

    private SqlValues() {}

    /** A value that is not of its fact's type; the message says what was expected. */
    static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }

        Mismatch(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What a column of the result is, as far as reading it goes. */
    enum Kind {
        TEXT,
        INTEGER,
        DECIMAL,
        BOOLEAN,
        DATE,
        TIMESTAMP,
        TIMESTAMP_WITH_ZONE,
        ARRAY,
        OTHER;

        static Kind of(ResultSetMetaData md, int column) throws SQLException {
            String name = String.valueOf(md.getColumnTypeName(column)).toLowerCase(Locale.ROOT);
            int type = md.getColumnType(column);
            // PostgreSQL's driver reports timestamptz as a plain TIMESTAMP.
            if (type == Types.TIMESTAMP_WITH_TIMEZONE
                    || name.equals("timestamptz")
                    || name.contains("with time zone")) {
                return TIMESTAMP_WITH_ZONE;
            }
            return switch (type) {
                case Types.CHAR,
                        Types.VARCHAR,
                        Types.LONGVARCHAR,
                        Types.NCHAR,
                        Types.NVARCHAR,
                        Types.LONGNVARCHAR,
                        Types.CLOB,
                        Types.NCLOB -> TEXT;
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> INTEGER;
                case Types.NUMERIC, Types.DECIMAL -> DECIMAL;
                case Types.BOOLEAN, Types.BIT -> BOOLEAN;
                case Types.DATE -> DATE;
                case Types.TIMESTAMP -> TIMESTAMP;
                case Types.ARRAY -> ARRAY;
                default -> OTHER;
            };
        }
    }

    /**
     * The value of {@code column} in the current row as {@code type}, or {@code null} for SQL
     * {@code NULL} (the fact is then left out).
     */
    static Object scalar(ResultSet rs, int column, Kind kind, FactField.Type type, ZoneId zone)
            throws SQLException, Mismatch {
        if (rs.getObject(column) == null) {
            return null;
        }
        if (kind == Kind.TEXT && type != FactField.Type.STRING) {
            try {
                return FactFields.fromText(type, rs.getString(column), zone, ",");
            } catch (IllegalArgumentException e) {
                throw new Mismatch(e.getMessage(), e);
            }
        }
        return switch (type) {
            case STRING -> rs.getString(column);
            case INT -> integer(rs, column, kind);
            case BOOL -> bool(rs, column, kind);
            case DATE -> FactFields.endOfDay(date(rs, column, kind, zone), zone);
            case TIMESTAMP -> timestamp(rs, column, kind, zone);
            case LIST -> items(rs, column, kind);
        };
    }

    /** The items a {@code list} column adds from the current row: its value, or an array's elements. */
    static List<String> items(ResultSet rs, int column, Kind kind) throws SQLException {
        List<String> items = new ArrayList<>();
        if (kind == Kind.ARRAY) {
            Array array = rs.getArray(column);
            if (array != null && array.getArray() instanceof Object[] elements) {
                for (Object e : elements) {
                    add(items, e == null ? null : e.toString());
                }
            }
        } else {
            add(items, rs.getString(column));
        }
        return items;
    }

    private static void add(List<String> items, String value) {
        if (value != null && !value.isBlank()) {
            items.add(value.strip());
        }
    }

    private static Long integer(ResultSet rs, int column, Kind kind) throws SQLException, Mismatch {
        return switch (kind) {
            case INTEGER -> rs.getLong(column);
            case DECIMAL -> {
                BigDecimal d = rs.getBigDecimal(column);
                try {
                    yield d.longValueExact();
                } catch (ArithmeticException e) {
                    throw new Mismatch("expected a whole number, not " + d.toPlainString(), e);
                }
            }
            default -> throw new Mismatch("expected a whole number");
        };
    }

    private static Boolean bool(ResultSet rs, int column, Kind kind) throws SQLException, Mismatch {
        return switch (kind) {
            case BOOLEAN -> rs.getBoolean(column);
            case INTEGER, DECIMAL -> {
                long v = integer(rs, column, kind);
                if (v != 0 && v != 1) {
                    throw new Mismatch("expected true/false or 1/0, not " + v);
                }
                yield v == 1;
            }
            default -> throw new Mismatch("expected true/false or 1/0");
        };
    }

    private static LocalDate date(ResultSet rs, int column, Kind kind, ZoneId zone) throws SQLException, Mismatch {
        return switch (kind) {
            case DATE -> rs.getObject(column, LocalDate.class);
            // Oracle's DATE is reported as a TIMESTAMP: its day is the date.
            case TIMESTAMP -> rs.getObject(column, LocalDateTime.class).toLocalDate();
            case TIMESTAMP_WITH_ZONE ->
                rs.getObject(column, OffsetDateTime.class)
                        .atZoneSameInstant(zone)
                        .toLocalDate();
            default -> throw new Mismatch("expected a date");
        };
    }

    private static Instant timestamp(ResultSet rs, int column, Kind kind, ZoneId zone) throws SQLException, Mismatch {
        return switch (kind) {
            case TIMESTAMP_WITH_ZONE ->
                rs.getObject(column, OffsetDateTime.class).toInstant();
            case TIMESTAMP ->
                rs.getObject(column, LocalDateTime.class).atZone(zone).toInstant();
            case DATE ->
                throw new Mismatch("expected a timestamp; this is a date column: declare it date"
                        + " (the end of that day in the source's zone)");
            default -> throw new Mismatch("expected a timestamp");
        };
    }
}
