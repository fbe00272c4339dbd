package io.cdpaccess.cli;

import io.cdpaccess.audit.AuditExport;
import io.cdpaccess.audit.AuditPurge;
import io.cdpaccess.audit.AuditVerifier;
import io.cdpaccess.audit.Checkpoint;
import io.cdpaccess.audit.CheckpointKeys;
import io.cdpaccess.config.AuditConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.store.ChangeValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code audit verify|export|purge|key}: prove that the record of decisions and changes was not
 * edited, hand it to an outside verifier, and remove what is past its retention.
 */
@Command(
        name = "audit",
        description = "Check the tamper-evident record of decisions and changes.",
        subcommands = {
            AuditCommand.Verify.class,
            AuditCommand.Export.class,
            AuditCommand.Purge.class,
            AuditCommand.Key.class
        })
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

        @Option(
                names = "--checkpoints",
                paramLabel = "FILE",
                description = "checkpoints kept elsewhere (the checkpoint file, a journal export: any lines holding "
                        + "them): prove the database still holds what each committed to")
        Path checkpoints;

        @Option(
                names = "--public-key",
                paramLabel = "FILE",
                description = "a checkpoint public key (PEM) to trust; default the keys in the data directory")
        List<Path> publicKeys;

        Verify(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Optional<Instant> from = Optional.ofNullable(since).map(s -> TypedTime.since(s, config.zone(), clock()));
            if (checkpoints == null && publicKeys != null && !publicKeys.isEmpty()) {
                throw new UserError("--public-key is for checking --checkpoints FILE; give that too");
            }
            List<Checkpoint> committed = checkpoints == null ? List.of() : readCheckpoints(checkpoints);
            Map<String, PublicKey> keys = checkpoints == null ? Map.of() : trustedKeys(config);
            List<AuditVerifier.Break> held = new ArrayList<>();
            AuditVerifier.Report report = withStore(config, (db, store) -> {
                AuditVerifier verifier = new AuditVerifier(db.dataSource());
                held.addAll(verifier.checkpoints(committed, keys));
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(), context.terminal(), "verify", OptionalLong.empty(), clock())) {
                    return verifier.verify(from, progress);
                }
            });
            for (AuditVerifier.Break b : held) {
                print("BREAK " + b.table() + " chain " + b.chainId() + " place " + b.seq() + ": "
                        + b.kind().label() + ": " + b.message());
            }
            if (checkpoints != null) {
                print(
                        held.isEmpty()
                                ? "all " + committed.size() + " checkpoints hold"
                                : held.size() + " of " + committed.size() + " checkpoints do not hold");
            }
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
            if (checkpoints == null) {
                print("A truncated tail (the newest records of a chain, or a newest run, removed) leaves a shorter "
                        + "chain that still verifies: only a checkpoint held elsewhere shows it (--checkpoints FILE).");
            }
            return report.verifies() && held.isEmpty() ? 0 : 1;
        }

        private List<Checkpoint> readCheckpoints(Path file) {
            List<Checkpoint> found = new ArrayList<>();
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    try {
                        Checkpoint.find(lines.get(i)).ifPresent(found::add);
                    } catch (IllegalArgumentException e) {
                        throw new UserError("--checkpoints " + file + " line " + (i + 1) + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new UserError("--checkpoints " + file + ": cannot read it (" + e.getMessage() + ")");
            }
            if (found.isEmpty()) {
                throw new UserError("--checkpoints " + file + " holds no checkpoint");
            }
            return found;
        }

        private Map<String, PublicKey> trustedKeys(ServiceConfig config) {
            try {
                if (publicKeys == null || publicKeys.isEmpty()) {
                    return new CheckpointKeys(config.dataDir()).publicKeys();
                }
                Map<String, PublicKey> keys = new TreeMap<>();
                for (Path p : publicKeys) {
                    PublicKey key = CheckpointKeys.readPublicKey(Files.readString(p), p.toString());
                    keys.put(CheckpointKeys.idOf(key), key);
                }
                return keys;
            } catch (IOException e) {
                throw new UserError("--public-key: " + e.getMessage());
            }
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
                AuditExport record = new AuditExport(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(), context.terminal(), "export", OptionalLong.empty(), clock())) {
                    export(output, "lines", w -> record.write(w, progress));
                }
                return null;
            });
            return 0;
        }
    }

    @Command(
            name = "purge",
            description = "Remove decision and change records older than audit.retention (default 6y), in small "
                    + "batches, each with an audit.purge change record whose anchors let the remaining chains still "
                    + "verify. The records of grants still in force, active blocks and each project's current status "
                    + "are kept.")
    static final class Purge extends ConfiguredCommand {

        @Option(names = "--dry-run", description = "say what would be removed; change nothing")
        boolean dryRun;

        @Mixin
        Options.Actor actor;

        Purge(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Instant cutoff = config.audit().retentionCutoff(clock().instant());
            String retention = AuditConfig.format(config.audit().retention());
            String by = actor.value();
            AuditPurge.Result result = withStore(config, (db, store) -> {
                AuditPurge purge = new AuditPurge(db.dataSource());
                AuditPurge.Request request = new AuditPurge.Request(cutoff, retention, by, store.explainingChanges());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(),
                        context.terminal(),
                        dryRun ? "count" : "purge",
                        OptionalLong.empty(),
                        clock())) {
                    return dryRun
                            ? purge.dryRun(request, progress)
                            : purge.purge(
                                    request,
                                    (delete, after) -> store.recordWork(
                                            by,
                                            AuditPurge.ACTION,
                                            "records before " + cutoff,
                                            delete,
                                            b -> b.total() > 0,
                                            b -> new ChangeValues(Optional.empty(), Optional.of(after.apply(b)))),
                                    progress);
                } catch (IllegalStateException e) {
                    throw new UserError("audit purge refused: " + e.getMessage());
                }
            });
            String counts = String.format(
                    Locale.ROOT,
                    "%,d decision records and %,d change records from before %s (retention %s)",
                    result.removed().getOrDefault("decisions", 0L),
                    result.removed().getOrDefault("changes", 0L),
                    cutoff,
                    retention);
            if (dryRun) {
                print("would remove " + counts + "; nothing was changed (--dry-run)");
            } else if (result.total() == 0) {
                print("nothing to remove: no record is older than " + cutoff + " (retention " + retention + ")");
            } else {
                print(String.format(
                        Locale.ROOT,
                        "removed %s, in %,d batches, each recorded as an audit.purge change; audit verify still"
                                + " checks every remaining record",
                        counts,
                        result.batches()));
            }
            if (result.keptChanges() > 0) {
                print(String.format(
                        Locale.ROOT,
                        "kept %,d older change records: those of grants still in force, active blocks, each project's"
                                + " current status, and earlier purges",
                        result.keptChanges()));
            }
            return 0;
        }
    }

    @Command(
            name = "key",
            description = "The Ed25519 key that signs checkpoints.",
            subcommands = {KeyShow.class, KeyRotate.class})
    static final class Key {}

    @Command(name = "show", description = "Print the current checkpoint public key (PEM) and its id, and the ids kept.")
    static final class KeyShow extends ConfiguredCommand {
        KeyShow(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            CheckpointKeys keys = new CheckpointKeys(config.dataDir());
            Optional<CheckpointKeys.SigningKey> current = keys.existing();
            if (current.isEmpty()) {
                throw new UserError("no checkpoint key in " + keys.directory()
                        + " yet: the server makes it at its first start, or run `cdp-access audit key rotate`");
            }
            print("checkpoint key " + current.get().id() + " (current)");
            out().print(CheckpointKeys.publicPem(current.get().publicKey()));
            out().flush();
            for (String id : keys.publicKeys().keySet()) {
                if (!id.equals(current.get().id())) {
                    print("older key kept for verifying: " + id);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "rotate",
            description = "Make a new checkpoint key; the old public key is kept, so older checkpoints still verify.")
    static final class KeyRotate extends ConfiguredCommand {
        KeyRotate(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            // Keys made by another account (root through sudo) would be unreadable to the service.
            Optional<String> notOwn = OwnerOnly.problem(config.dataDir(), "data directory");
            if (notOwn.isPresent()) {
                throw new UserError(notOwn.get() + "; run this as the service's account");
            }
            CheckpointKeys.SigningKey key = new CheckpointKeys(config.dataDir()).rotate();
            print("new checkpoint key " + key.id() + "; a running server signs with it from its next checkpoint");
            out().print(CheckpointKeys.publicPem(key.publicKey()));
            out().flush();
            return 0;
        }
    }
}
