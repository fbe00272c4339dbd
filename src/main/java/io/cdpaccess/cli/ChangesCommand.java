package io.cdpaccess.cli;

import io.cdpaccess.audit.ChangeExport;
import io.cdpaccess.audit.ChangeQuery;
import io.cdpaccess.audit.ChangeRecord;
import io.cdpaccess.audit.DecisionExport;
import io.cdpaccess.config.ServiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code changes list|export}: the administrative trail — who changed grants, projects, blocks, the policy. */
@Command(
        name = "changes",
        description =
                "Read the record of changes: grants, projects, blocks, policy loads, the service's starts and stops.",
        subcommands = {ChangesCommand.ListChanges.class, ChangesCommand.Export.class})
final class ChangesCommand {

    /** Filters shared by list and export. */
    static final class Filters {
        @Option(
                names = "--since",
                paramLabel = "WHEN",
                description = "a duration back from now (24h, 30d) or a date/time")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "exclusive end; a date means the end of that day")
        String until;

        @Option(names = "--by", paramLabel = "NAME", description = "only changes by this actor")
        String by;

        @Option(
                names = "--action",
                paramLabel = "ACTION",
                description = "e.g. grant.revoke, or grant. for every grant change")
        String action;

        @Option(names = "--subject", paramLabel = "TEXT", description = "only changes whose subject contains it")
        String subject;

        ChangeQuery.Filter toFilter(ServiceConfig config, CliContext context, Optional<Integer> limit) {
            return new ChangeQuery.Filter(
                    Optional.ofNullable(since).map(s -> TypedTime.since(s, config.zone(), context.clock())),
                    Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until")),
                    Optional.ofNullable(by).map(b -> Inputs.text(b, "--by", 255)),
                    Optional.ofNullable(action).map(a -> Inputs.text(a, "--action", 64)),
                    Optional.ofNullable(subject).map(s -> Inputs.text(s, "--subject", 1000)),
                    limit);
        }
    }

    @Command(name = "list", description = "Show the most recent changes, oldest first.")
    static final class ListChanges extends ConfiguredCommand {
        @Mixin
        Filters filters;

        @Option(names = "--limit", defaultValue = "50", description = "how many (default: ${DEFAULT-VALUE})")
        int limit;

        ListChanges(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            if (limit < 1 || limit > 100_000) {
                throw new UserError("--limit must be between 1 and 100000");
            }
            ChangeQuery.Filter filter = filters.toFilter(config, context, Optional.of(limit));
            List<ChangeRecord> changes =
                    withStore(config, (db, store) -> new ChangeQuery(db.dataSource()).list(filter));
            Table table = new Table("TIME", "ACTOR", "ACTION", "SUBJECT", "RUN BY");
            for (ChangeRecord c : changes) {
                table.row(
                        c.changedAt(),
                        c.actor(),
                        c.action(),
                        c.subject(),
                        c.writer().orElse("-"));
            }
            table.print(out());
            return 0;
        }
    }

    @Command(
            name = "export",
            description = "Write changes, with what each changed, as CSV or JSON Lines, oldest first.")
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
            ChangeQuery.Filter filter = filters.toFilter(config, context, Optional.empty());
            withStore(config, (db, store) -> {
                ChangeQuery query = new ChangeQuery(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(), context.terminal(), "export", OptionalLong.empty(), clock())) {
                    export(output, "changes", w -> write(query, filter, fmt, w, progress));
                }
                return null;
            });
            return 0;
        }

        private static long write(
                ChangeQuery query,
                ChangeQuery.Filter filter,
                DecisionExport.Format fmt,
                Writer w,
                LongConsumer progress)
                throws IOException, SQLException {
            try (ChangeExport export = new ChangeExport(w, fmt)) {
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
