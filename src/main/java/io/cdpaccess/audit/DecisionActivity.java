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

    /** The groupings corrections are applied to, in the order {@link Query#corrections} reads them. */
    private static final List<String> KEYS =
            List.of("d.instance_name", "d.project_id", "d.normalized_user", BUCKET, "d.reason");

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
            List<Row> buckets = q.grouped(BUCKET, 0);
            Counts total = buckets.stream().map(Row::counts).reduce(Counts.NONE, Counts::plus);
            return new Activity(
                    total,
                    q.ranked("d.instance_name", top),
                    q.ranked("d.project_id", top),
                    q.ranked("d.normalized_user", top),
                    reasons(q, where),
                    days(buckets, period, zone),
                    hours(buckets, zone));
        }
    }

    /** The reasons, a summary's refusals under the reasons its detail names. */
    private static List<Row> reasons(Query q, Where where) throws SQLException {
        Map<String, Counts> byReason = new TreeMap<>();
        List<Row> grouped = q.grouped("d.reason", 0);
        for (Row r : grouped) {
            byReason.merge(r.key().orElse(""), r.counts(), Counts::plus);
        }
        Counts summarized = byReason.remove(Reason.REFUSALS_SUMMARIZED.code());
        if (summarized != null) {
            Map<String, Long> refusals = new TreeMap<>();
            long unread = summarized.refused();
            for (String detail : q.summaryDetails(where)) {
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
     * The period's rows, grouped one way at a time. The groups are counted over the records as
     * first written, without joining each to its correction (that join made every query several
     * times slower); the few corrected decisions are then read once and moved from the effect and
     * reason first written to the ones they were corrected to.
     */
    private static final class Query {
        private final Connection c;
        private final Where where;
        private final String weight;
        /** Per grouping ({@link #KEYS}), the change each key's counts get from corrections. */
        private final Map<String, Map<Optional<String>, Counts>> corrected;

        Query(Connection c, Dialect dialect, Where where) throws SQLException {
            this.c = c;
            this.where = where;
            // A summary of refusals stands for as many as its detail starts with.
            this.weight = "CASE WHEN d.reason = '" + Reason.REFUSALS_SUMMARIZED.code() + "' AND d.detail IS NOT NULL"
                    + " THEN " + dialect.leadingCount("d.detail") + " ELSE 1 END";
            this.corrected = corrections();
        }

        private String sum(Effect e) {
            return "SUM(CASE WHEN d.effect = '" + e.label() + "' THEN " + weight + " ELSE 0 END)";
        }

        /** Counts per value of {@code key}; with {@code limit} above 0, the busiest that many. */
        List<Row> grouped(String key, int limit) throws SQLException {
            return grouped(key, null, limit);
        }

        /** The same, of the rows where {@code condition} holds (none: all). */
        List<Row> grouped(String key, String condition, int limit) throws SQLException {
            String sql = "SELECT k, a, n, r, e FROM (SELECT " + key + " AS k, "
                    + sum(Effect.ALLOW) + " AS a, " + sum(Effect.DENY) + " AS n, "
                    + sum(Effect.REJECTED) + " AS r, " + sum(Effect.ERROR) + " AS e"
                    + " FROM decisions d"
                    + where.sql() + (condition == null ? "" : " AND " + condition)
                    + " GROUP BY " + key + ") g"
                    + (limit > 0 ? " ORDER BY a + n + r + e DESC, k LIMIT " + limit : "");
            Map<Optional<String>, Counts> changes = corrected.getOrDefault(key, Map.of());
            List<Row> rows = Jdbc.query(
                    c,
                    sql,
                    where.params(),
                    rs -> new Row(
                            Optional.ofNullable(rs.getString(1)),
                            new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))));
            if (changes.isEmpty()) {
                return rows;
            }
            List<Row> out = new ArrayList<>(rows.size() + changes.size());
            java.util.Set<Optional<String>> seen = new java.util.HashSet<>();
            for (Row r : rows) {
                seen.add(r.key());
                out.add(new Row(r.key(), r.counts().plus(changes.getOrDefault(r.key(), Counts.NONE))));
            }
            if (limit == 0) { // a corrected reason may be one no record was first written with
                changes.forEach((k, change) -> {
                    if (!seen.contains(k) && (condition == null || k.isPresent())) {
                        out.add(new Row(k, change));
                    }
                });
            }
            return out;
        }

        /** What corrections change, per grouping and key: one less as first written, one more as corrected. */
        private Map<String, Map<Optional<String>, Counts>> corrections() throws SQLException {
            String sql = "SELECT " + String.join(", ", KEYS) + ", d.effect, c.effect, c.reason"
                    + " FROM (SELECT corrects, effect, reason FROM decisions WHERE corrects IS NOT NULL) c"
                    + " JOIN decisions d ON d.decision_id = c.corrects" + where.sql();
            Map<String, Map<Optional<String>, Counts>> changes = new java.util.HashMap<>();
            Jdbc.query(c, sql, where.params(), rs -> {
                Counts was = one(rs.getString(KEYS.size() + 1));
                Counts now = one(rs.getString(KEYS.size() + 2));
                Counts change = now.minus(was);
                for (int i = 0; i < KEYS.size(); i++) {
                    Optional<String> key = Optional.ofNullable(rs.getString(i + 1));
                    if (KEYS.get(i).equals("d.reason")) {
                        Map<Optional<String>, Counts> reasons = changes.computeIfAbsent(
                                "d.reason",
                                k -> new TreeMap<>(Comparator.comparing((Optional<String> o) -> o.orElse(""))));
                        reasons.merge(key, Counts.NONE.minus(was), Counts::plus);
                        reasons.merge(Optional.ofNullable(rs.getString(KEYS.size() + 3)), now, Counts::plus);
                    } else {
                        changes.computeIfAbsent(KEYS.get(i), k -> new java.util.HashMap<>())
                                .merge(key, change, Counts::plus);
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

        Ranked ranked(String key, int top) throws SQLException {
            Counts keyed = Counts.NONE;
            Optional<Counts> none = Optional.empty();
            Counts noneChange = Counts.NONE;
            Counts keyedChange = Counts.NONE;
            for (Map.Entry<Optional<String>, Counts> e :
                    corrected.getOrDefault(key, Map.of()).entrySet()) {
                if (e.getKey().isPresent()) {
                    keyedChange = keyedChange.plus(e.getValue());
                } else {
                    noneChange = noneChange.plus(e.getValue());
                }
            }
            String[] stats = {sum(Effect.ALLOW), sum(Effect.DENY), sum(Effect.REJECTED), sum(Effect.ERROR)};
            StringBuilder sql = new StringBuilder("SELECT COUNT(DISTINCT " + key + ")");
            for (String stat : stats) {
                sql.append(", ").append(stat.replace("SUM(CASE WHEN ", "SUM(CASE WHEN " + key + " IS NULL AND "));
            }
            for (String stat : stats) {
                sql.append(", ").append(stat);
            }
            long distinct;
            try (PreparedStatement ps = c.prepareStatement(sql + " FROM decisions d" + where.sql())) {
                Jdbc.bind(ps, where.params());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    distinct = rs.getLong(1);
                    Counts nulls =
                            new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)).plus(noneChange);
                    Counts all = new Counts(rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9));
                    keyed = all.minus(nulls).plus(keyedChange).plus(noneChange);
                    if (nulls.answers() > 0) {
                        none = Optional.of(nulls);
                    }
                }
            }
            List<Row> busiest = grouped(key, key + " IS NOT NULL", top);
            Counts shown = busiest.stream().map(Row::counts).reduce(Counts.NONE, Counts::plus);
            long others = distinct - busiest.size();
            return new Ranked(
                    busiest, others > 0 ? Optional.of(keyed.minus(shown)) : Optional.empty(), others, none, distinct);
        }

        /** The details of the period's summaries of refusals: one per address and minute at most. */
        List<String> summaryDetails(Where period) throws SQLException {
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
