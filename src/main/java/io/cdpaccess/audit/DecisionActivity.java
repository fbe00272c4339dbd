package io.cdpaccess.audit;

import io.cdpaccess.db.Jdbc;
import io.cdpaccess.db.Where;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * What the decision log says about a period, counted by the database: answers per instance,
 * project and user (the busiest N, the rest summed), per reason, per day and per hour of the day
 * in a zone — what a reviewer scans each month, over millions of records without reading them
 * into memory. Each query is one {@code GROUP BY} over the period's rows (the time index picks
 * them); only the small grouped results come back.
 *
 * <p>Every answer counts as what it was: an allow, a deny, a refused caller ({@link
 * Effect#REJECTED}) or an error (the 503s, spooled ones included: they are recorded as errors with
 * {@code log-unavailable}). A decision corrected after it was written counts as its correction
 * says. A {@code refusals-summarized} row counts as the refusals it stands for, the number its
 * detail starts with; for the reasons, its detail's breakdown is read too.
 *
 * <p>Days and hours are those of the zone given. The database groups by quarter of an hour in
 * UTC (plain integer arithmetic, the same in SQLite, PostgreSQL and MariaDB, where date functions
 * and zone support differ), and each quarter is placed in its local day and hour here: every zone
 * offset in use is a whole number of quarter hours.
 */
public final class DecisionActivity {

    /** The quarter hour the database groups times by. */
    static final long BUCKET_MS = 15 * 60 * 1000L;

    /** The longest stretch of days shown with every day, those without answers included. */
    static final int MAX_FILLED_DAYS = 366;

    /** How many answers, by what they were. */
    public record Counts(long allows, long denies, long refused, long errors) {

        public static final Counts NONE = new Counts(0, 0, 0, 0);

        /** Every answer: allows, denies, refusals and errors. */
        public long answers() {
            return allows + denies + refused + errors;
        }

        public Counts plus(Counts o) {
            return new Counts(allows + o.allows, denies + o.denies, refused + o.refused, errors + o.errors);
        }

        Counts minus(Counts o) {
            return new Counts(allows - o.allows, denies - o.denies, refused - o.refused, errors - o.errors);
        }
    }

    /**
     * One group.
     *
     * @param key the instance, project, user, reason, day ({@code 2026-11-30}) or hour ({@code
     *     09}); empty for the records without one (a refused caller has no user)
     */
    public record Row(Optional<String> key, Counts counts) {}

    /**
     * The busiest groups of one kind.
     *
     * @param top the busiest, most answers first
     * @param rest the others together, none when {@code top} holds them all
     * @param others how many groups {@code rest} sums
     * @param none the answers without a key (a refused caller names no user), none when there are none
     * @param distinct how many groups there are with a key
     */
    public record Ranked(List<Row> top, Optional<Counts> rest, long others, Optional<Counts> none, long distinct) {}

    /**
     * What the log holds for a period.
     *
     * @param total every answer
     * @param days answers per day, oldest first; within {@link #MAX_FILLED_DAYS} also the days without
     * @param hours answers per hour of the day, all 24, from {@code 00}
     */
    public record Activity(
            Counts total,
            Ranked instances,
            Ranked projects,
            Ranked users,
            List<Row> reasons,
            List<Row> days,
            List<Row> hours) {}

    /**
     * Which records.
     *
     * @param since inclusive
     * @param until exclusive
     * @param instance only this instance's, when given
     */
    public record Period(Instant since, Instant until, Optional<String> instance) {}

    /** A summary's detail: {@code N refusals from ... one by one: reason 3, other 2; statuses 403 5}. */
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) refusals from .*? one by one: (.*?); statuses ");

    private static final Pattern REASON_COUNT = Pattern.compile("^(\\S+) (\\d+)$");

    /** The quarter hour of a record, as epoch milliseconds. */
    private static final String BUCKET = "d.decided_at_ms - (d.decided_at_ms % " + BUCKET_MS + ")";

    private final DataSource dataSource;

    public DecisionActivity(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Counts the period's answers.
     *
     * @param zone the zone of the days and hours
     * @param top how many instances, projects and users to name; the rest are summed
     */
    public Activity read(Period period, ZoneId zone, int top) throws SQLException {
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1");
        }
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.of(c);
            Where where = new Where()
                    .and(DecisionTable.DECISIONS_ONLY)
                    .and("d.decided_at_ms >= ?", Optional.of(period.since()), Instant::toEpochMilli)
                    .and("d.decided_at_ms < ?", Optional.of(period.until()), Instant::toEpochMilli)
                    .and("d.instance_name = ?", period.instance());
            Query q = new Query(c, dialect, where);
            List<Row> buckets = q.buckets();
            Counts total = buckets.stream().map(Row::counts).reduce(Counts.NONE, Counts::plus);
            List<Map<Optional<String>, Counts>> groups = q.groups();
            return new Activity(
                    total,
                    ranked(groups.get(0), top),
                    ranked(groups.get(1), top),
                    ranked(groups.get(2), top),
                    reasons(q, groups.get(3)),
                    days(buckets, period, zone),
                    hours(buckets, zone));
        }
    }

    /** The reasons, a summary's refusals under the reasons its detail names. */
    private static List<Row> reasons(Query q, Map<Optional<String>, Counts> grouped) throws SQLException {
        Map<String, Counts> byReason = new TreeMap<>();
        grouped.forEach((reason, counts) -> byReason.merge(reason.orElse(""), counts, Counts::plus));
        Counts summarized = byReason.remove(Reason.REFUSALS_SUMMARIZED.code());
        if (summarized != null) {
            Map<String, Long> refusals = new TreeMap<>();
            long unread = summarized.refused();
            for (String detail : q.summaryDetails()) {
                Matcher m = SUMMARY.matcher(detail);
                if (!m.find()) {
                    continue; // counted, but under the summary's own reason
                }
                for (String part : m.group(2).split(", ", -1)) {
                    Matcher rc = REASON_COUNT.matcher(part);
                    if (rc.matches()) {
                        long n = Long.parseLong(rc.group(2));
                        refusals.merge(rc.group(1), n, Long::sum);
                        unread -= n;
                    }
                }
            }
            refusals.forEach((reason, n) -> byReason.merge(reason, new Counts(0, 0, n, 0), Counts::plus));
            Counts rest = summarized.minus(new Counts(0, 0, summarized.refused() - unread, 0));
            if (rest.answers() > 0) {
                byReason.merge(Reason.REFUSALS_SUMMARIZED.code(), rest, Counts::plus);
            }
        }
        return byReason.entrySet().stream()
                .filter(e -> e.getValue().answers() > 0) // a reason whose every answer was corrected
                .map(e -> new Row(Optional.of(e.getKey()), e.getValue()))
                .sorted(Comparator.comparingLong((Row r) -> -r.counts().answers())
                        .thenComparing(r -> r.key().orElse("")))
                .toList();
    }

    /** The busiest {@code top} with a key, most answers first (then by key), the rest summed. */
    private static Ranked ranked(Map<Optional<String>, Counts> groups, int top) {
        List<Row> keyed = groups.entrySet().stream()
                .filter(e -> e.getKey().isPresent() && e.getValue().answers() > 0)
                .map(e -> new Row(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong((Row r) -> -r.counts().answers())
                        .thenComparing(r -> r.key().orElseThrow()))
                .toList();
        List<Row> busiest = keyed.subList(0, Math.min(top, keyed.size()));
        Optional<Counts> rest = keyed.size() > top
                ? Optional.of(keyed.subList(top, keyed.size()).stream()
                        .map(Row::counts)
                        .reduce(Counts.NONE, Counts::plus))
                : Optional.empty();
        Optional<Counts> none =
                Optional.ofNullable(groups.get(Optional.<String>empty())).filter(c -> c.answers() > 0);
        return new Ranked(List.copyOf(busiest), rest, keyed.size() - busiest.size(), none, keyed.size());
    }

    private static List<Row> days(List<Row> buckets, Period period, ZoneId zone) {
        Map<LocalDate, Counts> byDay = new TreeMap<>();
        for (Row b : buckets) {
            byDay.merge(local(b, zone).toLocalDate(), b.counts(), Counts::plus);
        }
        LocalDate first = period.since().atZone(zone).toLocalDate();
        LocalDate last = period.until().minusMillis(1).atZone(zone).toLocalDate();
        if (ChronoUnit.DAYS.between(first, last) >= MAX_FILLED_DAYS && !byDay.isEmpty()) {
            first = ((TreeMap<LocalDate, Counts>) byDay).firstKey();
            last = ((TreeMap<LocalDate, Counts>) byDay).lastKey();
        }
        if (ChronoUnit.DAYS.between(first, last) < MAX_FILLED_DAYS) {
            for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                byDay.putIfAbsent(d, Counts.NONE);
            }
        }
        return byDay.entrySet().stream()
                .map(e -> new Row(Optional.of(e.getKey().toString()), e.getValue()))
                .toList();
    }

    private static List<Row> hours(List<Row> buckets, ZoneId zone) {
        Counts[] byHour = new Counts[24];
        java.util.Arrays.fill(byHour, Counts.NONE);
        for (Row b : buckets) {
            int hour = local(b, zone).getHour();
            byHour[hour] = byHour[hour].plus(b.counts());
        }
        List<Row> out = new ArrayList<>(24);
        for (int h = 0; h < 24; h++) {
            out.add(new Row(Optional.of(String.format(Locale.ROOT, "%02d", h)), byHour[h]));
        }
        return out;
    }

    private static ZonedDateTime local(Row bucket, ZoneId zone) {
        return Instant.ofEpochMilli(Long.parseLong(bucket.key().orElseThrow())).atZone(zone);
    }

    /** The SQL each database needs where they differ. */
    enum Dialect {
        SQLITE,
        POSTGRESQL,
        MARIADB;

        static Dialect of(Connection c) throws SQLException {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return POSTGRESQL;
            }
            return product.contains("mariadb") || product.contains("mysql") ? MARIADB : SQLITE;
        }

        /**
         * The whole number a text starts with, 1 when it starts with none: SQLite and MariaDB read
         * a number's leading digits (0 for none), PostgreSQL is given them by a pattern.
         */
        String leadingCount(String column) {
            String number = switch (this) {
                case SQLITE -> "CAST(" + column + " AS INTEGER)";
                case POSTGRESQL -> "CAST(substring(" + column + " from '^[0-9]{1,15}') AS BIGINT)";
                case MARIADB -> "CAST(" + column + " AS SIGNED)";
            };
            return "COALESCE(NULLIF(" + number + ", 0), 1)";
        }
    }

    /**
     * The period's rows in two scans: by quarter hour, and by instance, project, user and reason
     * together (as many groups as there are such combinations, far fewer than records), which are
     * then summed per instance, per project, per user and per reason here. The groups are counted
     * over the records as first written, without joining each to its correction (that join made
     * every scan several times slower); the few corrected decisions are read once and moved from
     * the effect and reason first written to the ones they were corrected to.
     */
    private static final class Query {
        /** The keys of {@link #groups}, then the quarter hour, in the order {@link #corrections} reads them. */
        private static final List<String> KEYS =
                List.of("d.instance_name", "d.project_id", "d.normalized_user", "d.reason", BUCKET);

        private static final int REASON = 3;

        private final Connection c;
        private final Where where;
        private final String sums;
        /** Per key of {@link #KEYS}, the change each value's counts get from corrections. */
        private final List<Map<Optional<String>, Counts>> corrected;

        Query(Connection c, Dialect dialect, Where where) throws SQLException {
            this.c = c;
            this.where = where;
            // A summary of refusals stands for as many as its detail starts with.
            String weight = "CASE WHEN d.reason = '" + Reason.REFUSALS_SUMMARIZED.code() + "' AND d.detail IS NOT NULL"
                    + " THEN " + dialect.leadingCount("d.detail") + " ELSE 1 END";
            this.sums = java.util.stream.Stream.of(Effect.ALLOW, Effect.DENY, Effect.REJECTED, Effect.ERROR)
                    .map(e -> "SUM(CASE WHEN d.effect = '" + e.label() + "' THEN " + weight + " ELSE 0 END)")
                    .collect(java.util.stream.Collectors.joining(", "));
            this.corrected = corrections();
        }

        /** Counts per quarter hour, oldest first. */
        List<Row> buckets() throws SQLException {
            Map<Optional<String>, Counts> changes = corrected.get(KEYS.size() - 1);
            List<Row> rows = Jdbc.query(
                    c,
                    "SELECT " + BUCKET + ", " + sums + " FROM decisions d" + where.sql() + " GROUP BY " + BUCKET,
                    where.params(),
                    rs -> new Row(Optional.of(Long.toString(rs.getLong(1))), counts(rs, 2)));
            return rows.stream()
                    .map(r -> new Row(r.key(), r.counts().plus(changes.getOrDefault(r.key(), Counts.NONE))))
                    .toList();
        }

        /** Counts per instance, per project, per user and per reason (in that order), corrections applied. */
        List<Map<Optional<String>, Counts>> groups() throws SQLException {
            List<Map<Optional<String>, Counts>> groups = new ArrayList<>();
            for (int i = 0; i <= REASON; i++) {
                groups.add(new java.util.HashMap<>(corrected.get(i)));
            }
            String keys = String.join(", ", KEYS.subList(0, REASON + 1));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + keys + ", " + sums + " FROM decisions d" + where.sql() + " GROUP BY " + keys)) {
                ps.setFetchSize(1000);
                Jdbc.bind(ps, where.params());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Counts counts = counts(rs, REASON + 2);
                        for (int i = 0; i <= REASON; i++) {
                            groups.get(i).merge(Optional.ofNullable(rs.getString(i + 1)), counts, Counts::plus);
                        }
                    }
                }
            }
            return groups;
        }

        private static Counts counts(ResultSet rs, int first) throws SQLException {
            return new Counts(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3));
        }

        /** What corrections change, per key and value: one less as first written, one more as corrected. */
        private List<Map<Optional<String>, Counts>> corrections() throws SQLException {
            String sql = "SELECT " + String.join(", ", KEYS) + ", d.effect, c.effect, c.reason"
                    + " FROM (SELECT corrects, effect, reason FROM decisions WHERE corrects IS NOT NULL) c"
                    + " JOIN decisions d ON d.decision_id = c.corrects" + where.sql();
            List<Map<Optional<String>, Counts>> changes = new ArrayList<>();
            KEYS.forEach(k -> changes.add(new java.util.HashMap<>()));
            Jdbc.query(c, sql, where.params(), rs -> {
                Counts was = one(rs.getString(KEYS.size() + 1));
                Counts now = one(rs.getString(KEYS.size() + 2));
                for (int i = 0; i < KEYS.size(); i++) {
                    Optional<String> key = Optional.ofNullable(rs.getString(i + 1));
                    if (i == REASON) {
                        changes.get(i).merge(key, Counts.NONE.minus(was), Counts::plus);
                        changes.get(i).merge(Optional.ofNullable(rs.getString(KEYS.size() + 3)), now, Counts::plus);
                    } else {
                        changes.get(i).merge(key, now.minus(was), Counts::plus);
                    }
                }
                return null;
            });
            return changes;
        }

        private static Counts one(String effect) {
            return switch (Effect.fromLabel(effect)) {
                case ALLOW -> new Counts(1, 0, 0, 0);
                case DENY -> new Counts(0, 1, 0, 0);
                case REJECTED -> new Counts(0, 0, 1, 0);
                case ERROR -> new Counts(0, 0, 0, 1);
            };
        }

        /** The details of the period's summaries of refusals: one per address and minute at most. */
        List<String> summaryDetails() throws SQLException {
            Where period = where;
            List<Object> params = new ArrayList<>(period.params());
            params.add(Reason.REFUSALS_SUMMARIZED.code());
            return Jdbc.query(
                            c,
                            "SELECT d.detail FROM decisions d" + period.sql() + " AND d.reason = ?",
                            params,
                            rs -> Optional.ofNullable(rs.getString(1)))
                    .stream()
                    .flatMap(Optional::stream)
                    .toList();
        }
    }
}
