package io.cdpaccess.cli;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.GrantFilter;
import io.cdpaccess.store.GrantSelector;
import io.cdpaccess.store.NewGrant;
import io.cdpaccess.store.Store;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code grant add|extend|revoke|list}. */
@Command(
        name = "grant",
        description = "Give, extend, take back or list users' access to projects.",
        subcommands = {
            GrantCommand.Add.class,
            GrantCommand.Extend.class,
            GrantCommand.Revoke.class,
            GrantCommand.ListGrants.class
        })
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
    static final class Add extends ConfiguredCommand {
        @Mixin
        Options.Instance instance;

        @Option(names = "--user", required = true, paramLabel = "USERNAME", description = "REDCap username")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "1")
        ProjectChoice project;

        @Option(
                names = "--from",
                paramLabel = "WHEN",
                description = "start (default: now); a date means its first moment")
        String from;

        @Option(
                names = "--until",
                paramLabel = "WHEN",
                description = "end; a date means the end of that day (default: no end)")
        String until;

        @Mixin
        Options.Reason reason;

        @Mixin
        Options.Actor actor;

        Add(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            InstanceConfig target = instance.of(config);
            String username = Inputs.username(user);
            Instant now = clock().instant().truncatedTo(ChronoUnit.MILLIS);
            Instant start = from == null ? now : TypedTime.start(from, config.zone(), "--from");
            Optional<Instant> end = Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until"));
            if (end.isPresent() && !end.get().isAfter(start)) {
                throw new UserError("--until must be after --from (" + start + ")");
            }
            if (end.isPresent() && !end.get().isAfter(now)) {
                throw new UserError("--until " + until + " is already past; the grant would never be active");
            }
            NewGrant request = new NewGrant(
                    target.name(), username, project.asOptional(), start, end, actor.value(), reason.value());
            Grant g = withStore(config, (db, store) -> store.addGrant(request));
            print("granted " + g.id() + ": " + Table.shown(g.user()) + " on " + g.instance() + " project "
                    + g.projectLabel()
                    + " from " + g.validFrom() + " until "
                    + g.validUntil().map(Instant::toString).orElse("no end")
                    + " (zone " + config.zone() + ")");
            return 0;
        }
    }

    @Command(
            name = "extend",
            description = "Move the end of a current grant later (the earlier end is kept on the record).")
    static final class Extend extends ConfiguredCommand {
        @Option(names = "--id", description = "grant id, as shown by grant list")
        String id;

        @Mixin
        Options.Instance instance;

        @Option(names = "--user", paramLabel = "USERNAME", description = "REDCap username")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        ProjectChoice project;

        @Option(
                names = "--until",
                required = true,
                paramLabel = "WHEN",
                description = "the new end; a date means the end of that day")
        String until;

        @Mixin
        Options.Reason reason;

        @Mixin
        Options.Actor actor;

        Extend(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            GrantSelector selector = GrantCommand.selector(id, instance, user, project, config);
            Instant end = TypedTime.end(until, config.zone(), "--until");
            if (!end.isAfter(clock().instant())) {
                throw new UserError("--until " + until + " is already past; to end access now use grant revoke");
            }
            String why = reason.value();
            String by = actor.value();
            List<Grant> extended = withStore(config, (db, store) -> store.extendGrants(selector, end, by, why));
            if (extended.isEmpty()) {
                throw new UserError("no current grant matching " + selector + " ends before " + end
                        + " (one with no end needs no extension; an ended one is given again with grant add)"
                        + "; see: grant list --all");
            }
            for (Grant g : extended) {
                print("extended " + g.id() + ": " + Table.shown(g.user()) + " on " + g.instance() + " project "
                        + g.projectLabel() + " until " + end + " (zone " + config.zone() + ")");
            }
            return 0;
        }
    }

    /** The grants a command names: one by --id, or --user with --project-id or --all-projects. */
    static GrantSelector selector(
            String id, Options.Instance instance, String user, ProjectChoice project, ServiceConfig config) {
        if (id != null) {
            if (user != null || project != null || instance.name != null) {
                throw new UserError("give either --id, or --user with --project-id or --all-projects");
            }
            return GrantSelector.byId(id.strip());
        }
        if (user == null || project == null) {
            throw new UserError("give --id, or --user with --project-id or --all-projects");
        }
        String name = instance.of(config).name();
        String username = Inputs.username(user);
        return project.allProjects
                ? GrantSelector.allProjects(name, username)
                : GrantSelector.forProject(name, username, Inputs.projectId(project.projectId));
    }

    @Command(name = "revoke", description = "Take access back (the grant is kept on the record as revoked).")
    static final class Revoke extends ConfiguredCommand {
        @Option(names = "--id", description = "grant id, as shown by grant list")
        String id;

        @Mixin
        Options.Instance instance;

        @Option(names = "--user", paramLabel = "USERNAME", description = "REDCap username")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        ProjectChoice project;

        @Mixin
        Options.Reason reason;

        @Mixin
        Options.Actor actor;

        Revoke(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            GrantSelector selector = selector(config);
            String why = reason.value();
            String by = actor.value();
            List<String> lines = withStore(config, (db, store) -> {
                List<Grant> revoked = store.revokeGrants(selector, by, why);
                if (revoked.isEmpty()) {
                    throw new UserError("no current grant matches " + selector + "; see: grant list --all");
                }
                List<String> out = new ArrayList<>();
                for (Grant g : revoked) {
                    out.add("revoked " + g.id() + ": " + Table.shown(g.user()) + " on " + g.instance() + " project "
                            + g.projectLabel());
                }
                out.addAll(remainingAccess(store, revoked.get(0)));
                return out;
            });
            print(lines.toArray(new String[0]));
            return 0;
        }

        private GrantSelector selector(ServiceConfig config) {
            return GrantCommand.selector(id, instance, user, project, config);
        }

        /** Revoking a project grant does not touch an every-project grant; say so rather than surprise. */
        private List<String> remainingAccess(Store store, Grant revoked) {
            if (revoked.projectId().isEmpty()) {
                return List.of();
            }
            Instant now = clock().instant();
            return store
                    .listGrants(new GrantFilter(
                            Optional.of(revoked.instance()), Optional.of(revoked.user()), revoked.projectId(), false))
                    .stream()
                    .filter(g -> g.activeAt(now))
                    .map(g ->
                            "note: " + Table.shown(g.user()) + " still has access to project " + revoked.projectLabel()
                                    + " through grant " + g.id() + " (project " + g.projectLabel() + ")")
                    .toList();
        }
    }

    @Command(name = "list", description = "List current and future grants (--all: also ended and revoked).")
    static final class ListGrants extends ConfiguredCommand {
        @Mixin
        Options.InstanceFilter instance;

        @Option(names = "--user", paramLabel = "USERNAME")
        String user;

        @Option(names = "--project-id", paramLabel = "PID", description = "grants covering this project")
        Long projectId;

        @Option(names = "--all", description = "include ended and revoked grants")
        boolean all;

        ListGrants(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            GrantFilter filter = new GrantFilter(
                    instance.of(config),
                    Optional.ofNullable(user).map(Inputs::username),
                    projectId == null ? OptionalLong.empty() : OptionalLong.of(Inputs.projectId(projectId)),
                    all);
            Instant now = clock().instant();
            Table table = new Table("ID", "INSTANCE", "USER", "PROJECT", "FROM", "UNTIL", "STATE", "BY", "REASON");
            for (Grant g : withStore(config, (db, store) -> store.listGrants(filter))) {
                table.row(
                        g.id(),
                        g.instance(),
                        g.user(),
                        g.projectLabel(),
                        g.validFrom(),
                        g.validUntil().map(Instant::toString).orElse("-"),
                        g.stateAt(now).label(),
                        g.grantedBy(),
                        g.reason());
            }
            table.print(out());
            return 0;
        }
    }
}
