package io.cdpaccess.report;

import io.cdpaccess.audit.ChangeRecord;
import io.cdpaccess.config.Durations;
import io.cdpaccess.ops.CsvText;
import io.cdpaccess.store.Block;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An {@link AccessReview} as CSV (one table, one row per grant, a column per flag, the snapshot id
 * on every row so that the file stays a plain table) or as one printable HTML page: the summary
 * first, then what needs a decision, the reminders, and every grant.
 */
public final class AccessReviewReport {

    /** The CSV columns, in order; the README's "Reports" section describes each. */
    public static final List<String> COLUMNS = List.of(
            "snapshot_id",
            "grant_id",
            "instance",
            "user",
            "project_id",
            "valid_from",
            "valid_until",
            "granted_at",
            "granted_by",
            "granted_by_process",
            "reason",
            "last_used",
            "expiring_soon",
            "unused",
            "blocked",
            "block_reason",
            "would_deny",
            "deny_reasons",
            "evaluated_projects",
            "evaluation");

    private final AccessReview review;

    public AccessReviewReport(AccessReview review) {
        this.review = review;
    }

    /** Writes the CSV; returns how many grants. */
    public long csv(Writer w) throws IOException {
        w.write(CsvText.line(COLUMNS));
        String id = review.snapshot().id();
        for (AccessReview.Row r : review.rows()) {
            List<Object> cells = new ArrayList<>();
            cells.add(id);
            cells.addAll(grantCells(r));
            cells.add(time(r.lastUsed()));
            cells.add(yes(r.expiringSoon()));
            cells.add(yes(r.unused()));
            cells.add(yes(r.block().isPresent()));
            cells.add(r.block().map(Block::reason).orElse(""));
            cells.add(r.verdict().status().shown());
            cells.add(String.join(" ", r.verdict().reasons()));
            cells.add(String.join(
                    " ", r.verdict().projects().stream().map(String::valueOf).toList()));
            cells.add(r.verdict().text());
            w.write(CsvText.line(cells));
        }
        return review.rows().size();
    }

    /** Writes the HTML page; returns how many grants. */
    public long html(Writer w) throws IOException {
        w.write(page());
        return review.rows().size();
    }

    /** The HTML page. */
    public String page() {
        AccessReview.Scope scope = review.scope();
        ReviewSnapshot snapshot = review.snapshot();
        List<AccessReview.Row> rows = review.rows();
        String within = Durations.format(scope.expiringWithin());
        String unusedFor = Durations.format(scope.unusedFor());
        List<AccessReview.Row> denied = only(
                rows,
                r -> r.verdict().status() == AccessReview.Status.WOULD_DENY
                        || r.block().isPresent());
        List<AccessReview.Row> unknown = only(rows, r -> r.verdict().status() == AccessReview.Status.UNKNOWN);
        List<AccessReview.Row> notEvaluated =
                only(rows, r -> r.verdict().status() == AccessReview.Status.NOT_EVALUATED);
        List<AccessReview.Row> expiring = only(rows, AccessReview.Row::expiringSoon);
        List<AccessReview.Row> unused = only(rows, AccessReview.Row::unused);
        HtmlPage page = new HtmlPage(
                        "Access review",
                        "Generated " + review.generatedAt() + " by cdp-access " + version() + ", as of "
                                + snapshot.asOf() + ", for " + scopeText(scope) + ", policy " + review.policySource())
                .summary("Snapshot id", snapshot.id())
                .summary("Active grants", count(rows.size(), "grant") + " (" + count(users(rows), "user") + ")")
                .summary(
                        "Blocked or would be denied now",
                        count(denied.size(), "grant") + " (" + count(users(denied), "user") + ")")
                .summary("Could not evaluate", count(unknown.size(), "grant"))
                .summary("Expiring within " + within, count(expiring.size(), "grant"))
                .summary("Not used in " + unusedFor, count(unused.size(), "grant"))
                .summary("Every-project grants not evaluated", count(notEvaluated.size(), "grant"))
                .summary("As of", snapshot.asOf())
                .summary("Store version", snapshot.storeVersion())
                .summary("Policy SHA-256", snapshot.policySha256())
                .summary("Facts SHA-256", snapshot.factsSha256());
        page.heading("Blocked, or the policy would deny now")
                .table(
                        List.of("User", "Instance", "Project", "Grant", "Blocked", "Would deny", "Why"),
                        denied.stream()
                                .map(r -> List.of(
                                        r.grant().user(),
                                        r.grant().instance(),
                                        r.grant().projectLabel(),
                                        r.grant().id(),
                                        r.block()
                                                .map(b -> "yes: " + b.reason() + " (since " + b.blockedAt() + ", by "
                                                        + b.blockedBy() + ")")
                                                .orElse("no"),
                                        r.verdict().status().shown(),
                                        r.verdict().text()))
                                .toList(),
                        "No user with an active grant is blocked or would be denied now.");
        page.heading("Could not evaluate");
        if (!unknown.isEmpty()) {
            page.paragraph("A fact source the policy reads did not answer: these grants are not known to be fine. "
                    + "Review them again when the source is back.");
        }
        page.table(
                List.of("User", "Instance", "Project", "Grant", "Why"),
                unknown.stream()
                        .map(r -> List.of(
                                r.grant().user(),
                                r.grant().instance(),
                                r.grant().projectLabel(),
                                r.grant().id(),
                                r.verdict().text()))
                        .toList(),
                "Every grant was evaluated.");
        page.heading("Expiring within " + within)
                .table(
                        List.of("User", "Instance", "Project", "Until", "Granted by", "Reason"),
                        expiring.stream()
                                .map(r -> List.of(
                                        r.grant().user(),
                                        r.grant().instance(),
                                        r.grant().projectLabel(),
                                        time(r.grant().validUntil()),
                                        r.grant().grantedBy(),
                                        r.grant().reason()))
                                .toList(),
                        "No grant expires within " + within + ".");
        page.heading("Not used in " + unusedFor)
                .table(
                        List.of("User", "Instance", "Project", "Granted at", "Last used", "Granted by", "Reason"),
                        unused.stream()
                                .map(r -> List.of(
                                        r.grant().user(),
                                        r.grant().instance(),
                                        r.grant().projectLabel(),
                                        r.grant().grantedAt().toString(),
                                        r.lastUsed().map(Instant::toString).orElse("never"),
                                        r.grant().grantedBy(),
                                        r.grant().reason()))
                                .toList(),
                        "Every grant was used within " + unusedFor + ".");
        if (!notEvaluated.isEmpty()) {
            page.heading("Every-project grants not evaluated")
                    .paragraph("An every-project grant is evaluated on the projects its user was allowed on in the "
                            + "last " + AccessReview.RECENT_PROJECT_DAYS + " days; these users were allowed on "
                            + "none. Name a project with --project-id to evaluate them on it.")
                    .table(
                            List.of("User", "Instance", "Grant", "Granted by", "Reason"),
                            notEvaluated.stream()
                                    .map(r -> List.of(
                                            r.grant().user(),
                                            r.grant().instance(),
                                            r.grant().id(),
                                            r.grant().grantedBy(),
                                            r.grant().reason()))
                                    .toList(),
                            "");
        }
        page.heading("Every active grant")
                .table(
                        List.of(
                                "User",
                                "Instance",
                                "Project",
                                "Granted (by)",
                                "Reason",
                                "Until",
                                "Last used",
                                "Flags",
                                "Policy now"),
                        rows.stream()
                                .map(r -> List.of(
                                        r.grant().user(),
                                        r.grant().instance(),
                                        r.grant().projectLabel(),
                                        r.grant().grantedAt() + " by "
                                                + r.grant().grantedBy()
                                                + r.added()
                                                        .flatMap(ChangeRecord::writer)
                                                        .map(w -> " (" + w + ")")
                                                        .orElse(""),
                                        r.grant().reason(),
                                        r.grant()
                                                .validUntil()
                                                .map(Instant::toString)
                                                .orElse("no end"),
                                        r.lastUsed().map(Instant::toString).orElse("never"),
                                        flags(r),
                                        r.verdict().text()))
                                .toList(),
                        "No active grant"
                                + (scope.instance().isPresent()
                                                || scope.projectId().isPresent()
                                        ? " matches these filters."
                                        : "."));
        page.heading("Reproducing this review")
                .paragraph("The snapshot id is a SHA-256 over the review's inputs: the time it is as of, the "
                        + "filters, the store version, the policy's SHA-256 and the SHA-256 of the facts every "
                        + "evaluation used (README, \"Reports\"). Running "
                        + reproduce(scope)
                        + " gives the same snapshot id exactly when none of them changed; when it differs, "
                        + "the lines above say which.")
                .paragraph("Reviewed by: ______________________   Signature: ______________________   Date: "
                        + "______________");
        return page.render();
    }

    /** The command that produces this review again. */
    static String reproduce(AccessReview.Scope scope) {
        StringBuilder command = new StringBuilder("cdp-access report access-review --as-of ").append(scope.asOf());
        scope.instance().ifPresent(i -> command.append(" --instance ").append(i));
        if (scope.projectId().isPresent()) {
            command.append(" --project-id ").append(scope.projectId().getAsLong());
        }
        return command.append(" --expiring-within ")
                .append(Durations.format(scope.expiringWithin()))
                .append(" --unused-for ")
                .append(Durations.format(scope.unusedFor()))
                .append(" --format csv")
                .toString();
    }

    private static String scopeText(AccessReview.Scope scope) {
        return scope.instance().map(i -> "instance " + i).orElse("every instance")
                + (scope.projectId().isPresent()
                        ? ", project " + scope.projectId().getAsLong()
                        : ", every project");
    }

    private static String flags(AccessReview.Row r) {
        List<String> flags = new ArrayList<>();
        if (r.block().isPresent()) {
            flags.add("blocked");
        }
        if (r.verdict().status() == AccessReview.Status.WOULD_DENY) {
            flags.add("would deny");
        }
        if (r.verdict().status() == AccessReview.Status.UNKNOWN) {
            flags.add("could not evaluate");
        }
        if (r.expiringSoon()) {
            flags.add("expiring");
        }
        if (r.unused()) {
            flags.add("unused");
        }
        return String.join(", ", flags);
    }

    private static List<Object> grantCells(AccessReview.Row r) {
        return Arrays.asList(
                r.grant().id(),
                r.grant().instance(),
                r.grant().user(),
                r.grant().projectLabel(),
                r.grant().validFrom().toString(),
                time(r.grant().validUntil()),
                r.grant().grantedAt().toString(),
                r.grant().grantedBy(),
                r.added().flatMap(ChangeRecord::writer).orElse(""),
                r.grant().reason());
    }

    private static List<AccessReview.Row> only(List<AccessReview.Row> rows, Predicate<AccessReview.Row> which) {
        return rows.stream().filter(which).toList();
    }

    private static long users(List<AccessReview.Row> rows) {
        return rows.stream().map(r -> r.grant().user()).distinct().count();
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse("");
    }

    private static String version() {
        return Optional.ofNullable(AccessReviewReport.class.getPackage().getImplementationVersion())
                .orElse("development build");
    }
}
