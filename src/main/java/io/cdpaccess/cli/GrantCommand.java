package io.cdpaccess.cli;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Database;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.GrantFilter;
import io.cdpaccess.store.GrantSelector;
import io.cdpaccess.store.NewGrant;
import io.cdpaccess.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code grant add|revoke|list}. */
@Command(name = "grant", description = "Give, take back or list users' access to projects.",
        subcommands = {GrantCommand.Add.class, GrantCommand.Revoke.class, GrantCommand.ListGrants.class})
final class GrantCommand {

    /** Exactly one of --project-id and --all-projects. */
    static final class ProjectChoice {
        @Option(names = "--project-id", paramLabel = "PID", required = true, description = "REDCap project id")
        Long projectId;

        @Option(names = "--all-projects", required = true, description = "every project of the instance")
        boolean allProjects;

        OptionalLong asOptional() {
            return projectId == null ? OptionalLong.empty() : OptionalLong.of(Inputs.projectId(projectId));
        }
    }

    @Command(name = "add", description = "Allow a user to pull EHR data into a project (or every project).")
    static final class Add implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--instance", paramLabel = "NAME", description = "REDCap instance (default: the only one)")
        String instance;
        @Option(names = "--user", required = true, paramLabel = "USERNAME", description = "REDCap username")
        String user;
        @ArgGroup(exclusive = true, multiplicity = "1")
        ProjectChoice project;
        @Option(names = "--from", paramLabel = "WHEN", description = "start (default: now); a date means its first moment")
        String from;
        @Option(names = "--until", paramLabel = "WHEN", description = "end; a date means the end of that day (default: no end)")
        String until;
        @Option(names = "--reason", required = true, description = "why, e.g. the IRB protocol; kept on the record")
        String reason;
        @Option(names = "--by", description = "who is granting (default: your system account)")
        String by;

        Add(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            InstanceConfig target = ConfigOptions.instance(config, instance);
            String username = Inputs.username(user);
            Instant now = context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Instant start = from == null ? now : TypedTime.start(from, config.zone(), "--from");
            Optional<Instant> end = Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until"));
            if (end.isPresent() && !end.get().isAfter(start)) {
                throw new UserError("--until must be after --from (" + start + ")");
            }
            if (end.isPresent() && !end.get().isAfter(now)) {
                throw new UserError("--until " + until + " is already past; the grant would never be active");
            }
            NewGrant request = new NewGrant(target.name(), username, project.asOptional(), start, end,
                    Inputs.actor(by), Inputs.text(reason, "--reason", 1000));
            try (Database db = ConfigOptions.openStore(config)) {
                Grant g = new Store(db, context.clock()).addGrant(request);
                PrintWriter out = spec.commandLine().getOut();
                out.println("granted " + g.id() + ": " + g.user() + " on " + g.instance() + " project " + g.projectLabel()
                        + " from " + g.validFrom() + " until " + g.validUntil().map(Instant::toString).orElse("no end")
                        + " (zone " + config.zone() + ")");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Take access back (the grant is kept on the record as revoked).")
    static final class Revoke implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--id", description = "grant id, as shown by grant list")
        String id;
        @Option(names = "--instance", paramLabel = "NAME", description = "REDCap instance (default: the only one)")
        String instance;
        @Option(names = "--user", paramLabel = "USERNAME", description = "REDCap username")
        String user;
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        ProjectChoice project;
        @Option(names = "--reason", required = true, description = "why; kept on the record")
        String reason;
        @Option(names = "--by", description = "who is revoking (default: your system account)")
        String by;

        Revoke(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            GrantSelector selector;
            if (id != null) {
                if (user != null || project != null || instance != null) {
                    throw new UserError("give either --id, or --user with --project-id or --all-projects");
                }
                selector = GrantSelector.byId(id.strip());
            } else {
                if (user == null || project == null) {
                    throw new UserError("give --id, or --user with --project-id or --all-projects");
                }
                String name = ConfigOptions.instance(config, instance).name();
                String username = Inputs.username(user);
                selector = project.allProjects ? GrantSelector.allProjects(name, username)
                        : GrantSelector.forProject(name, username, Inputs.projectId(project.projectId));
            }
            String why = Inputs.text(reason, "--reason", 1000);
            String actor = Inputs.actor(by);
            try (Database db = ConfigOptions.openStore(config)) {
                Store store = new Store(db, context.clock());
                List<Grant> revoked = store.revokeGrants(selector, actor, why);
                if (revoked.isEmpty()) {
                    throw new UserError("no current grant matches " + selector + "; see: grant list --all");
                }
                PrintWriter out = spec.commandLine().getOut();
                for (Grant g : revoked) {
                    out.println("revoked " + g.id() + ": " + g.user() + " on " + g.instance() + " project " + g.projectLabel());
                }
                warnAboutRemainingAccess(store, revoked.get(0), out);
                out.flush();
            }
            return 0;
        }

        /** Revoking a project grant does not touch an every-project grant; say so rather than surprise. */
        private void warnAboutRemainingAccess(Store store, Grant revoked, PrintWriter out) {
            if (revoked.projectId().isEmpty()) {
                return;
            }
            store.listGrants(new GrantFilter(Optional.of(revoked.instance()), Optional.of(revoked.user()),
                            revoked.projectId(), false)).stream()
                    .filter(g -> g.activeAt(context.clock().instant()))
                    .forEach(g -> out.println("note: " + g.user() + " still has access to project "
                            + revoked.projectLabel() + " through grant " + g.id() + " (project " + g.projectLabel() + ")"));
        }
    }

    @Command(name = "list", description = "List current and future grants (--all: also ended and revoked).")
    static final class ListGrants implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--instance", paramLabel = "NAME")
        String instance;
        @Option(names = "--user", paramLabel = "USERNAME")
        String user;
        @Option(names = "--project-id", paramLabel = "PID", description = "grants covering this project")
        Long projectId;
        @Option(names = "--all", description = "include ended and revoked grants")
        boolean all;

        ListGrants(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            Optional<String> name = Optional.ofNullable(instance).map(i -> ConfigOptions.instance(config, i).name());
            GrantFilter filter = new GrantFilter(name, Optional.ofNullable(user).map(Inputs::username),
                    projectId == null ? OptionalLong.empty() : OptionalLong.of(Inputs.projectId(projectId)), all);
            try (Database db = ConfigOptions.openStore(config)) {
                Instant now = context.clock().instant();
                Table table = new Table("ID", "INSTANCE", "USER", "PROJECT", "FROM", "UNTIL", "STATE", "BY", "REASON");
                for (Grant g : new Store(db, context.clock()).listGrants(filter)) {
                    String state = g.revoked() ? "revoked" : g.activeAt(now) ? "active"
                            : now.isBefore(g.validFrom()) ? "future" : "ended";
                    table.row(g.id(), g.instance(), g.user(), g.projectLabel(), g.validFrom(),
                            g.validUntil().map(Instant::toString).orElse("-"), state, g.grantedBy(), g.reason());
                }
                table.print(spec.commandLine().getOut());
            }
            return 0;
        }
    }
}
