package io.cdpaccess.cli;

import io.cdpaccess.audit.DecisionActivity;
import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.report.ActivityReport;
import io.cdpaccess.report.CoverageReport;
import io.cdpaccess.report.ReportFormat;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.redcapdb.RedcapCoverage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report activity|coverage}: reports a compliance office can read, print and sign. */
@Command(
        name = "report",
        description = "Reports for reviewers: what was answered, and what the service does not cover.",
        subcommands = {ReportCommand.Activity.class, ReportCommand.Coverage.class})
final class ReportCommand {

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
