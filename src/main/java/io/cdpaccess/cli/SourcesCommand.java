package io.cdpaccess.cli;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.http.OwnMetrics;
import io.cdpaccess.meters.ServerSourceState;
import io.cdpaccess.ops.PrometheusText;
import io.cdpaccess.policy.FactValues;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.source.LiveSource;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceHealth;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.source.SourceSet;
import io.cdpaccess.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sources ...}: the configured fact sources. */
@Command(
        name = "sources",
        description = "The configured fact sources (directory, REDCap database...).",
        subcommands = {SourcesCommand.Test.class})
final class SourcesCommand {

    private SourcesCommand() {}

    /**
     * {@code sources test}: asks each configured source live for one user, bypassing every cache,
     * and prints one line per source: what it answered, how long it took, or why it failed. The
     * first thing an administrator runs after configuring a source.
     *
     * <p>Under each, the running service's view of the same source from its {@code /metrics}: up,
     * breaker, cache hit ratio, lookups. The command's own lookup is always fresh, while "why is
     * everyone denied" is answered by the service's breaker and cache. When no service answers,
     * one line says why; the exit code is the live test's alone.
     */
    @Command(
            name = "test",
            description = "Ask each configured source now, without cache, for one user; one line each, and under it"
                    + " the running server's view of that source (from its /metrics on the listen address)."
                    + " Exit code 0 when every source answered, 1 when one failed.")
    static final class Test extends ConfiguredCommand {

        @Option(names = "--user", required = true, paramLabel = "USERNAME", description = "as REDCap sends it")
        String user;

        @Option(names = "--project-id", paramLabel = "PID", description = "for sources whose facts are per project")
        long projectId = 0;

        /** The instance a query reading {@code :instance} is asked for. */
        @Mixin
        Options.Instance instance;

        Test(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            if (config.sources().isEmpty()) {
                throw new UserError(config.source() + " configures no sources (sources: [...]); "
                        + "see config/cdp-access.example.yaml");
            }
            if (user.isBlank() || user.length() > 255 || UnsafeText.hasLineBreaker(user)) {
                throw new UserError("--user: expected a REDCap username (1-255 characters, no control characters)");
            }
            if (projectId < 0) {
                throw new UserError("--project-id: expected a positive number");
            }
            String normalized = Username.normalize(user);
            String instanceName = instance.of(config).name();
            OwnMetrics.Result server = new OwnMetrics(Ticker.system()).read(config);
            Optional<Map<String, ServerSourceState>> served = server instanceof OwnMetrics.Result.Scraped scraped
                    ? Optional.of(ServerSourceState.of(PrometheusText.parse(scraped.text())))
                    : Optional.empty();
            int failed = 0;
            List<String> lines = new ArrayList<>();
            try (SourceRegistry registry =
                    new SourceRegistry(SourceKinds.standard(), clock(), SourceMetrics.NONE, Duration.ZERO)) {
                SourceSet set = Policies.load(config, registry).sources();
                Map<String, SourceAnswer> answered = new HashMap<>();
                for (LiveSource source : set.inLookupOrder()) {
                    SourceConfig c = source.config();
                    Optional<SourceKey> maybeKey =
                            set.keyFor(source.name(), normalized, projectId, instanceName, clock().instant(), answered);
                    if (maybeKey.isEmpty()) {
                        failed++;
                        lines.add(c.name() + " (" + c.type() + "): NOT ASKED: it is asked with "
                                + set.inputsOf(source.name()) + ", which gave none");
                        served.ifPresent(s -> lines.add(serverLine(s, source.name())));
                        continue;
                    }
                    String key = maybeKey.get().user();
                    long start = System.nanoTime();
                    try {
                        SourceAnswer answer = source.lookUpNow(maybeKey.get());
                        answered.put(source.name(), answer);
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        lines.add(c.name() + " (" + c.type() + "): " + (answer.found() ? "found" : "not found")
                                + " as " + Table.shown(key) + " in " + ms + " ms: "
                                + UnsafeText.escape(String.valueOf(FactValues.toJson(answer.facts())))
                                + staleNote(source));
                    } catch (SourceException e) {
                        failed++;
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        lines.add(c.name() + " (" + c.type() + "): FAILED as " + Table.shown(key) + " after " + ms
                                + " ms: " + UnsafeText.escape(e.getMessage()));
                    }
                    served.ifPresent(s -> lines.add(serverLine(s, source.name())));
                }
            }
            if (server instanceof OwnMetrics.Result.Unavailable unavailable) {
                lines.add(UnsafeText.escape(unavailable.line()));
            }
            print(lines.toArray(new String[0]));
            return failed == 0 ? 0 : RootCommand.EXIT_DENIED;
        }

        /** For a source serving a loaded copy (a roster) older than its file, or none: why. */
        private static String staleNote(LiveSource source) {
            SourceHealth health = source.health();
            return health.stale() && !health.reason().isEmpty()
                    ? "; stale: " + UnsafeText.escape(health.reason().get())
                    : "";
        }

        private static String serverLine(Map<String, ServerSourceState> served, String source) {
            ServerSourceState state = served.get(source);
            return "  server: "
                    + (state == null ? "has not looked anything up at this source since it started" : state.line());
        }
    }
}
