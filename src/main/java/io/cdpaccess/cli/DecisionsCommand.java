package io.cdpaccess.cli;

import io.cdpaccess.audit.DecisionExport;
import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.outcome.Effect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code decisions list|export}: read the record of answers given to REDCap. */
@Command(
        name = "decisions",
        description = "Read the decision log: every answer given, and why.",
        subcommands = {DecisionsCommand.ListDecisions.class, DecisionsCommand.Export.class})
final class DecisionsCommand {

    /** Filters shared by list and export. */
    static final class Filters {
        @Option(
                names = "--since",
                paramLabel = "WHEN",
                description = "a duration back from now (24h, 30d) or a date/time")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "exclusive end; a date means the end of that day")
        String until;

        @Option(names = "--user", paramLabel = "USERNAME")
        String user;

        @Mixin
        Options.InstanceFilter instance;

        @Option(names = "--effect", description = "allow, deny, rejected or error")
        String effect;

        @Option(names = "--project-id", paramLabel = "P", description = "the project")
        Long projectId;

        @Option(names = "--reason", paramLabel = "CODE", description = "the reason code answered (a rule's name, ...)")
        String reason;

        @Option(names = "--id", paramLabel = "DECISION_ID", description = "one decision (its X-Decision-Id)")
        String id;

        @Option(names = "--policy-version", paramLabel = "V", description = "decided by this policy version")
        String policyVersion;

        DecisionFilter toFilter(ServiceConfig config, CliContext context, Optional<Integer> limit) {
            Optional<Effect> e;
            try {
                e = Optional.ofNullable(effect)
                        .map(s -> Effect.fromLabel(s.strip().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException unknown) {
                throw new UserError("--effect must be " + Effect.choices());
            }
            return new DecisionFilter(
                    Optional.ofNullable(since).map(s -> TypedTime.since(s, config.zone(), context.clock())),
                    Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until")),
                    instance.of(config),
                    Optional.ofNullable(user).map(Inputs::username),
                    e,
                    limit,
                    Optional.ofNullable(projectId).map(p -> Long.toString(Inputs.projectId(p))),
                    Optional.ofNullable(reason).map(r -> Inputs.text(r, "--reason", 64)),
                    Optional.ofNullable(id).map(i -> Inputs.text(i, "--id", 40)),
                    Optional.ofNullable(policyVersion).map(v -> Inputs.text(v, "--policy-version", 16)));
        }
    }

    @Command(name = "list", description = "Show the most recent decisions, oldest first.")
    static final class ListDecisions extends ConfiguredCommand {
        @Mixin
        Filters filters;

        @Option(names = "--limit", defaultValue = "50", description = "how many (default: ${DEFAULT-VALUE})")
        int limit;

        ListDecisions(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            if (limit < 1 || limit > 100_000) {
                throw new UserError("--limit must be between 1 and 100000");
            }
            DecisionFilter filter = filters.toFilter(config, context, Optional.of(limit));
            List<DecisionRecord> records =
                    withStore(config, (db, store) -> new DecisionQuery(db.dataSource()).list(filter));
            Table table = new Table(
                    "TIME", "ID", "EFFECT", "STATUS", "REASON", "INSTANCE", "USER", "PROJECT", "CALLER", "DETAIL");
            for (DecisionRecord r : records) {
                table.row(
                        r.decidedAt(),
                        r.decisionId(),
                        r.effect().label(),
                        r.httpStatus(),
                        r.reason(),
                        r.instance().orElse("-"),
                        r.user().orElse("-"),
                        r.projectId().orElse("-"),
                        r.callerIp(),
                        r.detail().orElse("-"));
            }
            table.print(out());
            return 0;
        }
    }

    @Command(name = "export", description = "Write decisions as CSV or JSON Lines, oldest first.")
    static final class Export extends ConfiguredCommand {
        @Mixin
        Filters filters;

        @Option(names = "--format", required = true, description = "csv or jsonl")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        Export(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            DecisionExport.Format fmt = DecisionExport.Format.parse(format.strip());
            DecisionFilter filter = filters.toFilter(config, context, Optional.empty());
            withStore(config, (db, store) -> {
                DecisionQuery query = new DecisionQuery(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(),
                        context.terminal(),
                        "export",
                        // Counted first only for a person watching: it says how long is left.
                        context.terminal() ? OptionalLong.of(query.count(filter)) : OptionalLong.empty(),
                        clock())) {
                    export(output, "decisions", w -> write(query, filter, fmt, w, progress));
                }
                return null;
            });
            return 0;
        }

        private static long write(
                DecisionQuery query, DecisionFilter filter, DecisionExport.Format fmt, Writer w, LongConsumer progress)
                throws IOException, SQLException {
            try (DecisionExport export = new DecisionExport(w, fmt)) {
                query.forEach(filter, r -> {
                    export.write(r);
                    progress.accept(export.count());
                });
                return export.count();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
