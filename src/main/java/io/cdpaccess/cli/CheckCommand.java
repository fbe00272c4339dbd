package io.cdpaccess.cli;

import io.cdpaccess.audit.Explanations;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code check}: what would REDCap be told right now? Runs the endpoint's own parser and decider
 * on the store's current state; records nothing.
 */
@Command(
        name = "check",
        description =
                "Print the answer REDCap would get now (1 or 0) and why. " + "Exit code 0 when allowed, 1 when denied.")
final class CheckCommand extends ConfiguredCommand {

    @Option(names = "--user", required = true, paramLabel = "USERNAME")
    String user;

    @Option(names = "--project-id", required = true, paramLabel = "PID")
    String projectId;

    @Option(
            names = "--redcap-url",
            required = true,
            paramLabel = "URL",
            description = "REDCap's base URL, as REDCap sends it")
    String redcapUrl;

    @Option(
            names = "--instance",
            paramLabel = "NAME",
            description = "the instance whose secret REDCap would use (default: the one bound to --redcap-url)")
    String instance;

    @Option(names = "--explain", description = "also show every rule's outcome and the facts it read")
    boolean explain;

    CheckCommand(CliContext context) {
        super(context);
    }

    @Override
    int run(ServiceConfig config) throws Exception {
        ParsedBody parsed = RequestParser.fromFields(
                Map.of("user", List.of(user), "project_id", List.of(projectId), "redcap_url", List.of(redcapUrl)));
        if (parsed instanceof ParsedBody.Invalid invalid) {
            throw new UserError("the service would answer 0 (bad-request): " + invalid.problem());
        }
        AccessRequest request = ((ParsedBody.Valid) parsed).request();
        InstanceConfig target =
                instance != null ? ConfigOptions.instance(config, instance) : instanceFor(config, request.redcapUrl());
        Instant now = clock().instant();
        StoreSnapshot snapshot = withStore(config, (db, store) -> store.snapshot());
        Decision d;
        CompiledPolicy policy;
        // The configured sources are asked live, as the running service would ask them.
        try (SourceRegistry sources =
                new SourceRegistry(SourceKinds.standard(), clock(), SourceMetrics.NONE, Duration.ZERO)) {
            Rules rules = Policies.load(config, sources);
            policy = rules.policy();
            d = Decider.withSources(() -> rules, () -> snapshot, clock())
                    .decide(target, request, Optional.empty(), Deadline.start(Ticker.system(), config.deadline()));
        }
        print(
                d.allowed() ? "1" : "0",
                "effect:   " + d.effect().label(),
                "reason:   " + d.reason(),
                "detail:   " + UnsafeText.escape(d.detail()), // quotes what grants and facts hold
                "instance: " + target.name(),
                "user:     " + Table.shown(request.normalizedUser()),
                "policy:   " + policy.version() + " (" + policy.origin() + ")",
                "at:       " + now);
        if (explain) {
            d.explanation()
                    .ifPresent(e -> print(java.util.Arrays.stream(
                                    ExplainText.render(Explanations.parse(Explanations.toJson(e, d.sources()))))
                            .map(UnsafeText::escape)
                            .toArray(String[]::new)));
        }
        return d.allowed() ? 0 : RootCommand.EXIT_DENIED;
    }

    /** The instance bound to this URL, else the only unbound one (as REDCap would reach it with that secret). */
    private static InstanceConfig instanceFor(ServiceConfig config, RedcapUrl url) {
        List<InstanceConfig> bound = config.instances().stream()
                .filter(i -> i.redcapUrl().map(url::equals).orElse(false))
                .toList();
        if (bound.size() == 1) {
            return bound.get(0);
        }
        List<InstanceConfig> open =
                config.instances().stream().filter(i -> i.redcapUrl().isEmpty()).toList();
        if (bound.isEmpty() && open.size() == 1) {
            return open.get(0);
        }
        throw new UserError("no single instance is bound to " + url + "; name one with --instance ("
                + config.instanceNames() + ")");
    }
}
