package io.cdpaccess.cli;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.store.Database;
import io.cdpaccess.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code check}: what would REDCap be told right now? Runs the endpoint's own parser and decider
 * on the store's current state; records nothing.
 */
@Command(name = "check", description = "Print the answer REDCap would get now (1 or 0) and why. "
        + "Exit code 0 when allowed, 1 when denied.")
final class CheckCommand implements Callable<Integer> {

    private final CliContext context;
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Option(names = "--user", required = true, paramLabel = "USERNAME")
    String user;
    @Option(names = "--project-id", required = true, paramLabel = "PID")
    String projectId;
    @Option(names = "--redcap-url", required = true, paramLabel = "URL", description = "REDCap's base URL, as REDCap sends it")
    String redcapUrl;
    @Option(names = "--instance", paramLabel = "NAME",
            description = "the instance whose secret REDCap would use (default: the one bound to --redcap-url)")
    String instance;

    CheckCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = options.load(context).config();
        ParsedBody parsed = RequestParser.fromFields(Map.of("user", List.of(user), "project_id", List.of(projectId),
                "redcap_url", List.of(redcapUrl)));
        if (parsed instanceof ParsedBody.Invalid invalid) {
            throw new UserError("the service would answer 0 (bad-request): " + invalid.problem());
        }
        AccessRequest request = ((ParsedBody.Valid) parsed).request();
        InstanceConfig target = instance != null ? ConfigOptions.instance(config, instance) : instanceFor(config, request.redcapUrl());
        try (Database db = ConfigOptions.openStore(config)) {
            Decider decider = new Decider(new Store(db, context.clock())::snapshot, context.clock());
            Instant now = context.clock().instant();
            Decision d = decider.decide(target, request, now.plus(config.deadline()));
            PrintWriter out = spec.commandLine().getOut();
            out.println(d.allowed() ? "1" : "0");
            out.println("effect:   " + d.effect().label());
            out.println("reason:   " + d.reason().code() + " (" + d.reason().description() + ")");
            out.println("detail:   " + d.detail());
            out.println("instance: " + target.name());
            out.println("user:     " + request.normalizedUser());
            out.println("at:       " + now);
            out.flush();
            return d.allowed() ? 0 : RootCommand.EXIT_DENIED;
        }
    }

    /** The instance bound to this URL, else the only unbound one (as REDCap would reach it with that secret). */
    private static InstanceConfig instanceFor(ServiceConfig config, RedcapUrl url) {
        List<InstanceConfig> bound = config.instances().stream()
                .filter(i -> i.redcapUrl().map(url::equals).orElse(false)).toList();
        if (bound.size() == 1) {
            return bound.get(0);
        }
        List<InstanceConfig> open = config.instances().stream().filter(i -> i.redcapUrl().isEmpty()).toList();
        if (bound.isEmpty() && open.size() == 1) {
            return open.get(0);
        }
        throw new UserError("no single instance is bound to " + url + "; name one with --instance ("
                + config.instanceNames() + ")");
    }
}
