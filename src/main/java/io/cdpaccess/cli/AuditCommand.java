package io.cdpaccess.cli;

import io.cdpaccess.audit.AuditExport;
import io.cdpaccess.audit.AuditVerifier;
import io.cdpaccess.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audit verify}: prove that the record of decisions and changes was not edited. */
@Command(
        name = "audit",
        description = "Check the tamper-evident record of decisions and changes.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand {

    @Command(
            name = "verify",
            description = "Walk every hash chain of decisions and changes; report the first record of each that was "
                    + "modified, removed, inserted or reordered. Exit 1 on any break.")
    static final class Verify extends ConfiguredCommand {

        @Option(
                names = "--since",
                paramLabel = "WHEN",
                description = "only records from then on: a duration back from now (24h, 30d) or a date/time")
        String since;

        Verify(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Optional<Instant> from = Optional.ofNullable(since).map(s -> TypedTime.since(s, config.zone(), clock()));
            AuditVerifier.Report report = withStore(config, (db, store) -> {
                AuditVerifier verifier = new AuditVerifier(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(), context.terminal(), "verify", OptionalLong.empty(), clock())) {
                    return verifier.verify(from, progress);
                }
            });
            for (AuditVerifier.Break b : report.breaks()) {
                print("BREAK " + b.table() + " chain " + b.chainId() + " place " + b.seq() + " (" + b.recordId() + "): "
                        + b.kind().label() + ": " + b.message());
            }
            String counted = String.format(Locale.ROOT, "%,d records in %,d chains", report.records(), report.chains());
            print(
                    report.verifies()
                            ? "all " + counted + " verify"
                                    + from.map(f -> " (since " + f + ")").orElse("")
                            : report.breaks().size() + " chain(s) broken; checked " + counted);
            if (report.unchained() > 0) {
                print(String.format(
                        Locale.ROOT,
                        "%,d older records were written before records were chained (before the store's migration V4): not covered",
                        report.unchained()));
            }
            print("A truncated tail (the newest records of a chain, or a newest run, removed) leaves a shorter chain "
                    + "that still verifies: only a checkpoint held elsewhere shows it.");
            return report.verifies() ? 0 : 1;
        }
    }

    @Command(
            name = "export",
            description = "Write every chain start and chained record, exactly as stored, as JSON Lines: the input of "
                    + "an outside verifier such as tools/cdp-access-audit-verify.py.")
    static final class Export extends ConfiguredCommand {

        @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        Export(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            withStore(config, (db, store) -> {
                AuditExport export = new AuditExport(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(), context.terminal(), "export", OptionalLong.empty(), clock())) {
                    if (output == null) {
                        export.write(out(), progress);
                        out().flush();
                        return null;
                    }
                    long n = OutputFile.write(output, w -> export.write(w, progress));
                    spec.commandLine().getErr().println("wrote " + n + " lines to " + output.toAbsolutePath());
                }
                return null;
            });
            return 0;
        }
    }
}
