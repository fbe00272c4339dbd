package io.cdpaccess.cli;

import io.cdpaccess.audit.ChangeQuery;
import io.cdpaccess.audit.DecisionActivity;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.config.Durations;
import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.report.AccessReview;
import io.cdpaccess.report.AccessReviewReport;
import io.cdpaccess.report.ActivityReport;
import io.cdpaccess.report.CoverageReport;
import io.cdpaccess.report.ReportFormat;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.source.redcapdb.RedcapCoverage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report access-review|activity|coverage}: reports a compliance office reads, signs and files, as CSV or one printable HTML page. */
@Command(
        name = "report",
        description = "Reports a compliance office can sign, as CSV or one printable HTML page: access reviews, "
                + "what was answered, and what the service does not cover.",
        subcommands = {
            ReportCommand.AccessReviewCommand.class,
            ReportCommand.Activity.class,
            ReportCommand.Coverage.class
        })
final class ReportCommand {

    /** The longest --expiring-within or --unused-for: ten years. */
    static final Duration LONGEST = Duration.ofDays(3650);

    @Command(
            name = "access-review",
            description = "Every active grant: who granted it, when, why, until when and when it was last used; "
                    + "grants expiring soon or unused; users blocked or whom the policy would deny now.")
    static final class AccessReviewCommand extends ConfiguredCommand {
        @Mixin
        Options.InstanceFilter instance;

        @Option(
                names = "--project-id",
                paramLabel = "PID",
                description = "grants covering this project (every-project grants are evaluated on it)")
        Long projectId;

        @Option(names = "--format", required = true, description = "csv or html")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        @Option(
                names = "--expiring-within",
                paramLabel = "DURATION",
                defaultValue = "30d",
                description = "flag grants that end within this (default: ${DEFAULT-VALUE})")
        String expiringWithin;

        @Option(
                names = "--unused-for",
                paramLabel = "DURATION",
                defaultValue = "90d",
                description = "flag grants not used for this long (default: ${DEFAULT-VALUE})")
        String unusedFor;

        @Option(
                names = "--as-of",
                paramLabel = "WHEN",
                description = "review as of this earlier time, to produce a signed review again (default: now)")
        String asOf;

        AccessReviewCommand(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            ReportFormat fmt = ReportFormat.parse(format.strip());
            Instant now = clock().instant();
            Instant at = now;
            if (asOf != null) {
                at = TypedTime.start(asOf, config.zone(), "--as-of");
                if (at.isAfter(now)) {
                    throw new UserError("--as-of " + asOf + " is in the future; a review is of what has been");
                }
            }
            AccessReview.Scope scope = new AccessReview.Scope(
                    instance.of(config),
                    projectId == null ? OptionalLong.empty() : OptionalLong.of(Inputs.projectId(projectId)),
                    duration(expiringWithin, "--expiring-within"),
                    duration(unusedFor, "--unused-for"),
                    at);
            // The sources are asked live, as check asks them, on a clock fixed at the review's time:
            // each user's facts are fetched once for the whole review.
            try (SourceRegistry sources = new SourceRegistry(
                    SourceKinds.standard(), Clock.fixed(at, ZoneOffset.UTC), SourceMetrics.NONE, Duration.ZERO)) {
                Rules rules = Policies.load(config, sources);
                withStore(config, (db, store) -> {
                    AccessReview review = AccessReview.run(
                            new AccessReview.Inputs(
                                    config,
                                    rules,
                                    store.snapshot(),
                                    new DecisionQuery(db.dataSource()),
                                    new ChangeQuery(db.dataSource())),
                            scope,
                            now);
                    AccessReviewReport report = new AccessReviewReport(review);
                    export(output, "grants", w -> fmt == ReportFormat.CSV ? report.csv(w) : report.html(w));
                    return Optional.empty();
                });
            }
            return 0;
        }

        private static Duration duration(String text, String option) {
            Duration d;
            try {
                d = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new UserError(option + " '" + text + "': " + e.getMessage());
            }
            if (d.isZero() || d.compareTo(LONGEST) > 0) {
                throw new UserError(option + " must be more than 0 and at most " + Durations.format(LONGEST));
            }
            return d;
        }
    }

    /** {@code --format}: csv or html. */
    static ReportFormat format(String text) {
        return ReportFormat.parse(text.strip());
    }

    @Command(
            name = "activity",
            description = "Answers per instance, project and user, denies by reason, per day and the busiest hours.")
    static final class Activity extends ConfiguredCommand {
        @Option(
                names = "--since",
                paramLabel = "WHEN",
                defaultValue = "30d",
                description = "a duration back from now (30d) or a date/time (default: ${DEFAULT-VALUE})")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "exclusive end; a date means the end of that day")
        String until;

        @Mixin
        Options.InstanceFilter instance;

        @Option(
                names = "--top",
                paramLabel = "N",
                defaultValue = "20",
                description = "how many instances, projects and users to name; the rest are summed"
                        + " (default: ${DEFAULT-VALUE})")
        int top;

        @Option(names = "--format", defaultValue = "csv", description = "csv or html (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        Activity(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            ReportFormat fmt = format(format);
            if (top < 1 || top > 10_000) {
                throw new UserError("--top must be between 1 and 10000");
            }
            Instant now = clock().instant();
            Instant from = TypedTime.since(since, config.zone(), clock());
            Instant to = until == null ? now : TypedTime.end(until, config.zone(), "--until");
            if (!from.isBefore(to)) {
                throw new UserError("--since " + since + " is not before --until " + (until == null ? "now" : until));
            }
            DecisionActivity.Period period = new DecisionActivity.Period(from, to, instance.of(config));
            withStore(config, (db, store) -> {
                DecisionActivity.Activity activity =
                        new DecisionActivity(db.dataSource()).read(period, config.zone(), top);
                ActivityReport report = new ActivityReport(activity, period, config.zone(), now);
                export(output, what(fmt), w -> report.write(fmt, w));
                return null;
            });
            return 0;
        }
    }

    @Command(
            name = "coverage",
            description = "The projects where EHR data reaches REDCap without this service being asked"
                    + " (needs a redcapdb source).")
    static final class Coverage extends ConfiguredCommand {
        @Option(names = "--format", required = true, description = "csv or html")
        String format;

        @Option(
                names = "--source",
                paramLabel = "NAME",
                description = "the redcapdb source to read (default: the only one)")
        String source;

        @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        Coverage(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            ReportFormat fmt = format(format);
            SourceConfig redcap = redcapSource(config, source);
            RedcapDbSettings settings = (RedcapDbSettings) redcap.settings();
            RedcapCoverage.Coverage coverage;
            try {
                coverage = RedcapCoverage.read(redcap.name(), settings, redcap.timeout());
            } catch (SourceException e) {
                throw new UserError(e.getMessage());
            }
            CoverageReport report = new CoverageReport(
                    redcap.name(), RedcapCoverage.describe(settings.url()), coverage, config.zone(), clock().instant());
            export(output, what(fmt), w -> report.write(fmt, w));
            return 0;
        }

        /** The redcapdb source named, or the only one; a one-line error when there is none to read. */
        static SourceConfig redcapSource(ServiceConfig config, String name) {
            List<SourceConfig> redcap = config.sources().stream()
                    .filter(s -> s.settings() instanceof RedcapDbSettings)
                    .toList();
            if (redcap.isEmpty()) {
                throw new UserError("report coverage reads REDCap's database: configure a source of type redcapdb"
                        + " (see the README's \"redcapdb\" source)");
            }
            if (name == null) {
                if (redcap.size() > 1) {
                    throw new UserError("several redcapdb sources are configured; name one with --source ("
                            + String.join(
                                    ", ",
                                    redcap.stream().map(SourceConfig::name).toList()) + ")");
                }
                return redcap.get(0);
            }
            Optional<SourceConfig> named =
                    redcap.stream().filter(s -> s.name().equals(name)).findFirst();
            return named.orElseThrow(() -> new UserError("--source " + name + " is not a redcapdb source; configured: "
                    + String.join(", ", redcap.stream().map(SourceConfig::name).toList())));
        }
    }

    private static String what(ReportFormat fmt) {
        return fmt == ReportFormat.CSV ? "rows" : "page";
    }
}
