package io.cdpaccess.cli;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Project;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code project approve|suspend|list}. */
@Command(
        name = "project",
        description = "Approve, suspend or list projects.",
        subcommands = {ProjectCommand.Approve.class, ProjectCommand.Suspend.class, ProjectCommand.ListProjects.class})
final class ProjectCommand {

    /** Options shared by approve and suspend, and the one way both change a project. */
    abstract static class Change extends ConfiguredCommand {
        @Mixin
        Options.Instance instance;

        @Option(names = "--project-id", paramLabel = "PID", required = true, description = "REDCap project id")
        long projectId;

        @Mixin
        Options.Actor actor;

        Change(CliContext context) {
            super(context);
        }

        int change(
                ServiceConfig config,
                Project.Status status,
                Optional<String> irbNumber,
                Optional<Instant> expires,
                Optional<String> note)
                throws Exception {
            String name = instance.of(config).name();
            long pid = Inputs.projectId(projectId);
            String by = actor.value();
            Project p =
                    withStore(config, (db, store) -> store.setProject(name, pid, status, irbNumber, expires, note, by));
            print("project " + p.instance() + "/" + p.projectId() + " is "
                    + p.status().label()
                    + p.irbNumber().map(i -> ", IRB " + Table.shown(i)).orElse("")
                    + p.expiresAt().map(e -> ", until " + e).orElse(""));
            return 0;
        }
    }

    @Command(name = "approve", description = "Mark a project approved for EHR data, with its IRB number and expiry.")
    static final class Approve extends Change {
        @Option(names = "--irb", paramLabel = "NUMBER", description = "IRB protocol number")
        String irb;

        @Option(
                names = "--until",
                paramLabel = "WHEN",
                description = "approval ends (a date means the end of that day)")
        String until;

        @Option(names = "--note", description = "free text kept with the project")
        String note;

        Approve(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Optional<Instant> end = Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until"));
            if (end.isPresent() && !end.get().isAfter(clock().instant())) {
                throw new UserError("--until " + until + " is already past");
            }
            return change(
                    config,
                    Project.Status.APPROVED,
                    Optional.ofNullable(irb).map(i -> Inputs.text(i, "--irb", 255)),
                    end,
                    Optional.ofNullable(note).map(n -> Inputs.text(n, "--note", 1000)));
        }
    }

    @Command(name = "suspend", description = "Deny EHR data in a project for everyone until approved again.")
    static final class Suspend extends Change {
        @Option(names = "--reason", required = true, description = "why; kept as the project's note")
        String reason;

        Suspend(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            return change(
                    config,
                    Project.Status.SUSPENDED,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(Inputs.text(reason, "--reason", 1000)));
        }
    }

    @Command(name = "list", description = "List recorded projects.")
    static final class ListProjects extends ConfiguredCommand {
        @Mixin
        Options.InstanceFilter instance;

        ListProjects(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Optional<String> name = instance.of(config);
            Instant now = clock().instant();
            Table table = new Table("INSTANCE", "PROJECT", "STATUS", "IRB", "UNTIL", "UPDATED", "BY", "NOTE");
            for (Project p : withStore(config, (db, store) -> store.listProjects(name))) {
                String status = p.status() == Project.Status.APPROVED && p.expiredAt(now)
                        ? "expired"
                        : p.status().label();
                table.row(
                        p.instance(),
                        p.projectId(),
                        status,
                        p.irbNumber().orElse("-"),
                        p.expiresAt().map(Instant::toString).orElse("-"),
                        p.updatedAt(),
                        p.updatedBy(),
                        p.note().orElse("-"));
            }
            table.print(out());
            return 0;
        }
    }
}
