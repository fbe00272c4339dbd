package io.cdpaccess.report;

import io.cdpaccess.audit.DecisionActivity;
import io.cdpaccess.audit.DecisionActivity.Counts;
import io.cdpaccess.audit.DecisionActivity.Ranked;
import io.cdpaccess.audit.DecisionActivity.Row;
import io.cdpaccess.ops.CsvText;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The monthly activity report: what the service answered over a period, per instance, project
 * and user, why it said no, and when it was busiest ({@link DecisionActivity} counts it).
 *
 * <p>CSV is one table, {@code section,key,answers,allows,denies,refused,errors}, one row per
 * group: section {@code total} (key: the period, {@code since/until} as UTC instants), {@code
 * instance}, {@code project}, {@code user} (the busiest; an empty key for the answers without
 * one, such as refused callers), {@code other instances}, {@code other projects}, {@code other
 * users} (the rest summed; key: how many), {@code reason}, {@code day} ({@code 2026-11-30}) and
 * {@code hour} ({@code 00} to {@code 23}) in the configured zone. HTML is one printable page with
 * the summary at the top and answers per day, denies by reason and the hours as inline charts.
 */
public final class ActivityReport {

    static final List<String> CSV_HEADER =
            List.of("section", "key", "answers", "allows", "denies", "refused", "errors");

    private static final List<String> COUNT_HEADERS = List.of("answers", "allows", "denies", "refused", "errors");

    private final DecisionActivity.Activity activity;
    private final DecisionActivity.Period period;
    private final ZoneId zone;
    private final Instant generatedAt;

    /**
     * @param generatedAt when the report is made, said under its title
     */
    public ActivityReport(
            DecisionActivity.Activity activity, DecisionActivity.Period period, ZoneId zone, Instant generatedAt) {
        this.activity = activity;
        this.period = period;
        this.zone = zone;
        this.generatedAt = generatedAt;
    }

    /** Writes the report; returns how many rows (CSV) or pages (HTML, one) it wrote. */
    public long write(ReportFormat format, Writer w) throws IOException {
        return format == ReportFormat.CSV ? csv(w) : html(w);
    }

    private long csv(Writer w) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(row("total", period.since() + "/" + period.until(), activity.total()));
        ranked(rows, "instance", "other instances", activity.instances());
        ranked(rows, "project", "other projects", activity.projects());
        ranked(rows, "user", "other users", activity.users());
        activity.reasons().forEach(r -> rows.add(row("reason", r.key().orElse(""), r.counts())));
        activity.days().forEach(r -> rows.add(row("day", r.key().orElse(""), r.counts())));
        activity.hours().forEach(r -> rows.add(row("hour", r.key().orElse(""), r.counts())));
        w.write(CsvText.line(CSV_HEADER));
        for (List<Object> row : rows) {
            w.write(CsvText.line(row));
        }
        return rows.size();
    }

    private static void ranked(List<List<Object>> rows, String section, String others, Ranked ranked) {
        ranked.top().forEach(r -> rows.add(row(section, r.key().orElse(""), r.counts())));
        ranked.none().ifPresent(c -> rows.add(row(section, "", c)));
        ranked.rest().ifPresent(c -> rows.add(row(others, Long.toString(ranked.others()), c)));
    }

    private static List<Object> row(String section, String key, Counts c) {
        return List.of(section, key, c.answers(), c.allows(), c.denies(), c.refused(), c.errors());
    }

    private long html(Writer w) throws IOException {
        DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        String from = period.since().atZone(zone).format(local);
        String to = period.until().atZone(zone).format(local);
        Counts total = activity.total();
        HtmlPage page = new HtmlPage(
                        "Activity report",
                        "Generated " + generatedAt.atZone(zone).format(local) + " (" + zone + ") from the decision log")
                .summary("Period", from + " to " + to + " (" + zone + ")")
                .summary("Instance", period.instance().orElse("all"))
                .summary("Answers", total.answers())
                .summary("Allows", total.allows())
                .summary("Denies", total.denies())
                .summary("Refused callers", total.refused())
                .summary("Errors (503)", total.errors())
                .summary("Distinct users", activity.users().distinct())
                .summary("Distinct projects", activity.projects().distinct());
        page.paragraph("Every answer counts once: allows and denies are the policy's decisions; refused callers were"
                + " turned away before any decision (wrong secret, wrong method, rate limited), including those"
                + " counted together in one row per address and minute; errors are the 503s answered 0 when no"
                + " decision could be made or recorded, including those spooled and recorded late.");
        page.heading("Answers per day")
                .chart(new BarChart(
                        "answers per day (" + zone + ")",
                        BarChart.Orientation.COLUMNS,
                        activity.days().stream()
                                .map(r -> new BarChart.Bar(
                                        r.key().orElse(""), r.counts().answers()))
                                .toList()));
        List<Row> denied = activity.reasons().stream()
                .filter(r -> r.counts().denies() > 0)
                .sorted(Comparator.comparingLong((Row r) -> -r.counts().denies()))
                .toList();
        page.heading("Denies by reason")
                .chart(new BarChart(
                        "denies by reason",
                        BarChart.Orientation.BARS,
                        denied.stream()
                                .map(r -> new BarChart.Bar(
                                        r.key().orElse(""), r.counts().denies()))
                                .toList()));
        page.heading("Answers by reason")
                .table(headers("reason"), rows(activity.reasons(), ""), "no answers in this period");
        page.heading("Busiest hours")
                .chart(new BarChart(
                        "answers per hour of the day (" + zone + ")",
                        BarChart.Orientation.COLUMNS,
                        activity.hours().stream()
                                .map(r -> new BarChart.Bar(
                                        r.key().orElse("") + ":00", r.counts().answers()))
                                .toList()));
        List<Row> busiest = activity.hours().stream()
                .filter(r -> r.counts().answers() > 0)
                .sorted(Comparator.comparingLong((Row r) -> -r.counts().answers()))
                .limit(5)
                .toList();
        page.table(
                headers("hour (" + zone + ")"),
                busiest.stream()
                        .map(r -> cells(r.key().orElse("") + ":00", r.counts()))
                        .toList(),
                "no answers in this period");
        ranked(page, "Per instance", "instance", "instances", activity.instances(), "(no instance: refused callers)");
        ranked(page, "Per project", "project", "projects", activity.projects(), "(no project)");
        ranked(page, "Per user", "user", "users", activity.users(), "(no user: refused or malformed calls)");
        page.heading("Per day").table(headers("day"), rows(activity.days(), ""), "no days in this period");
        w.write(page.render());
        return 1;
    }

    private static void ranked(HtmlPage page, String heading, String what, String plural, Ranked ranked, String none) {
        List<List<Object>> rows = new ArrayList<>(rows(ranked.top(), none));
        ranked.none().ifPresent(c -> rows.add(cells(none, c)));
        ranked.rest().ifPresent(c -> rows.add(cells(ranked.others() + " other " + plural, c)));
        String title = ranked.rest().isPresent()
                ? heading + " (the busiest " + ranked.top().size() + ")"
                : heading;
        page.heading(title).table(headers(what), rows, "no answers in this period");
    }

    private static List<String> headers(String first) {
        List<String> h = new ArrayList<>();
        h.add(first);
        h.addAll(COUNT_HEADERS);
        return h;
    }

    private static List<List<Object>> rows(List<Row> rows, String none) {
        return rows.stream().map(r -> cells(r.key().orElse(none), r.counts())).toList();
    }

    private static List<Object> cells(String key, Counts c) {
        return List.of(key, c.answers(), c.allows(), c.denies(), c.refused(), c.errors());
    }
}
