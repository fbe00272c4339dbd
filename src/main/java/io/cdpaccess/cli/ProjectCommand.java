package io.cdpaccess.cli;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Database;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code project approve|suspend|list}. */
@Command(name = "project", description = "Approve, suspend or list projects.",
        subcommands = {ProjectCommand.Approve.class, ProjectCommand.Suspend.class, ProjectCommand.ListProjects.class})
final class ProjectCommand {

    /** Options shared by approve and suspend. */
    abstract static class Change implements Callable<Integer> {
        final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--instance", paramLabel = "NAME", description = "REDCap instance (default: the only one)")
        String instance;
        @Option(names = "--project-id", paramLabel = "PID", required = true, description = "REDCap project id")
        long projectId;
        @Option(names = "--by", description = "who decides (default: your system account)")
        String by;

        Change(CliContext context) {
            this.context = context;
        }

        abstract Project.Status status();

        abstract Optional<String> irb();

        abstract Optional<Instant> until(ServiceConfig config);

        abstract Optional<String> note();

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            String name = ConfigOptions.instance(config, instance).name();
            long pid = Inputs.projectId(projectId);
            Optional<Instant> expires = until(config);
            Optional<String> irbNumber = irb();
            Optional<String> text = note();
            String actor = Inputs.actor(by);
            try (Database db = ConfigOptions.openStore(config)) {
                Project p = new Store(db, context.clock()).setProject(name, pid, status(), irbNumber, expires, text, actor);
                PrintWriter out = spec.commandLine().getOut();
                out.println("project " + p.instance() + "/" + p.projectId() + " is " + p.status().label()
                        + p.irbNumber().map(i -> ", IRB " + i).orElse("")
                        + p.expiresAt().map(e -> ", until " + e).orElse(""));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "approve", description = "Mark a project approved for EHR data, with its IRB number and expiry.")
    static final class Approve extends Change {
        @Option(names = "--irb", paramLabel = "NUMBER", description = "IRB protocol number")
        String irb;
        @Option(names = "--until", paramLabel = "WHEN", description = "approval ends (a date means the end of that day)")
        String until;
        @Option(names = "--note", description = "free text kept with the project")
        String note;

        Approve(CliContext context) {
            super(context);
        }

        @Override
        Project.Status status() {
            return Project.Status.APPROVED;
        }

        @Override
        Optional<String> irb() {
            return Optional.ofNullable(irb).map(i -> Inputs.text(i, "--irb", 255));
        }

        @Override
        Optional<Instant> until(ServiceConfig config) {
            Optional<Instant> end = Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until"));
            if (end.isPresent() && !end.get().isAfter(context.clock().instant())) {
                throw new UserError("--until " + until + " is already past");
            }
            return end;
        }

        @Override
        Optional<String> note() {
            return Optional.ofNullable(note).map(n -> Inputs.text(n, "--note", 1000));
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
        Project.Status status() {
            return Project.Status.SUSPENDED;
        }

        @Override
        Optional<String> irb() {
            return Optional.empty();
        }

        @Override
        Optional<Instant> until(ServiceConfig config) {
            return Optional.empty();
        }

        @Override
        Optional<String> note() {
            return Optional.of(Inputs.text(reason, "--reason", 1000));
        }
    }

    @Command(name = "list", description = "List recorded projects.")
    static final class ListProjects implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--instance", paramLabel = "NAME")
        String instance;

        ListProjects(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            Optional<String> name = Optional.ofNullable(instance).map(i -> ConfigOptions.instance(config, i).name());
            try (Database db = ConfigOptions.openStore(config)) {
                Instant now = context.clock().instant();
                Table table = new Table("INSTANCE", "PROJECT", "STATUS", "IRB", "UNTIL", "UPDATED", "BY", "NOTE");
                for (Project p : new Store(db, context.clock()).listProjects(name)) {
                    String status = p.status() == Project.Status.APPROVED && p.expiredAt(now) ? "expired" : p.status().label();
                    table.row(p.instance(), p.projectId(), status, p.irbNumber().orElse("-"),
                            p.expiresAt().map(Instant::toString).orElse("-"), p.updatedAt(), p.updatedBy(),
                            p.note().orElse("-"));
                }
                table.print(spec.commandLine().getOut());
            }
            return 0;
        }
    }
}
