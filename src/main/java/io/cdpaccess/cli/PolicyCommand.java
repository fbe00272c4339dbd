package io.cdpaccess.cli;

import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.whatif.PolicyCases;
import io.cdpaccess.whatif.PolicyReplay;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code policy show|test|replay|reload}: look at, test, try out and apply policies. */
@Command(
        name = "policy",
        description = "Show, test, replay and reload the access policy.",
        subcommands = {
            PolicyCommand.Show.class,
            PolicyCommand.Test.class,
            PolicyCommand.Replay.class,
            PolicyCommand.Reload.class
        })
final class PolicyCommand {

    @Command(name = "show", description = "Print the policy in force: its version, rules and the facts they use.")
    static final class Show extends ConfiguredCommand {
        @Option(names = "--default", description = "print the shipped default policy file instead, to copy from")
        boolean defaultFile;

        Show(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            if (defaultFile) {
                out().print(Policies.defaultText());
                out().flush();
                return 0;
            }
            CompiledPolicy p = Policies.compile(config);
            print(
                    "policy " + p.version() + " from "
                            + (config.policy().isPresent()
                                    ? p.origin()
                                    : "the built-in default (policy show --default prints it)"),
                    "facts used: " + String.join(", ", p.variables()));
            for (RuleSpec r : p.rules()) {
                print(String.format(
                        "  %-5s %-24s %s", r.effect().label(), Table.shown(r.name()), expression(r.when())));
            }
            return 0;
        }
    }

    /**
     * A rule's expression on one line: as written, unless it holds a character unsafe to show (a
     * bidirectional override or zero-width space in a string literal), then quoted and escaped as
     * {@link Table} shows such values (CEL reads the same backslash-u escapes). Not quoted merely
     * for its double quotes, which most expressions have.
     */
    static String expression(String when) {
        String line = when.strip().replace('\n', ' ');
        return UnsafeText.hasUnsafe(line) ? UnsafeText.quote(line) : line;
    }

    @Command(
            name = "test",
            description = "Run policy test cases (request, pinned now, facts, expected answer) "
                    + "against the configured policy; exit code 1 if any fails.")
    static final class Test extends ConfiguredCommand {
        @Parameters(arity = "1..*", paramLabel = "CASES.yaml", description = "case files")
        List<Path> files;

        @Option(names = "--junit", paramLabel = "FILE", description = "also write JUnit XML for CI systems")
        Path junit;

        Test(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            CompiledPolicy policy = Policies.compile(config);
            // Opened first, so that a report that cannot be written refuses the run rather than ends it.
            try (Writer report = junit == null ? null : openJunit()) {
                return run(policy, report);
            }
        }

        private Writer openJunit() {
            try {
                return Files.newBufferedWriter(junit, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserError("--junit " + junit + ": cannot write it (" + e + ")");
            }
        }

        private int run(CompiledPolicy policy, Writer report) throws IOException, ConfigException {
            List<Suite> suites = new ArrayList<>();
            for (Path file : files) {
                suites.add(new Suite(file, PolicyCases.run(policy, PolicyCases.read(file))));
            }
            int passed = 0;
            int failed = 0;
            for (Suite suite : suites) {
                for (PolicyCases.Outcome o : suite.outcomes()) {
                    if (o.passed()) {
                        passed++;
                        print("PASS " + o.testCase().name() + " (" + o.actualEffect() + " by " + o.actualRule() + ")");
                    } else {
                        failed++;
                        print("FAIL " + o.testCase().name() + ": " + o.message() + "  ["
                                + o.testCase().origin() + "]");
                        if (o.result() != null) {
                            for (RuleOutcome r : o.result().outcomes()) {
                                print(String.format(
                                        "       %-11s %-5s %s %s",
                                        r.result().label(), r.effect().label(), r.rule(), r.read()));
                            }
                        }
                    }
                }
            }
            print(passed + " passed, " + failed + " failed (policy " + policy.version() + ")");
            if (report != null) {
                writeJunit(report, suites, policy.version());
            }
            return failed == 0 ? 0 : RootCommand.EXIT_DENIED;
        }

        private record Suite(Path file, List<PolicyCases.Outcome> outcomes) {}

        private static void writeJunit(Writer w, List<Suite> suites, String version) throws IOException {
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cdp-access policy " + xml(version)
                    + "\">\n");
            for (Suite s : suites) {
                long failures = s.outcomes().stream().filter(o -> !o.passed()).count();
                w.write("  <testsuite name=\"" + xml(s.file().toString()) + "\" tests=\""
                        + s.outcomes().size() + "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"0\">\n");
                for (PolicyCases.Outcome o : s.outcomes()) {
                    w.write("    <testcase classname=\""
                            + xml(s.file().getFileName().toString()) + "\" name=\""
                            + xml(o.testCase().name()) + "\"");
                    if (o.passed()) {
                        w.write("/>\n");
                    } else {
                        w.write(">\n      <failure message=\"" + xml(o.message()) + "\">"
                                + xml(o.testCase().origin()) + "</failure>\n    </testcase>\n");
                    }
                }
                w.write("  </testsuite>\n");
            }
            w.write("</testsuites>\n");
        }

        private static String xml(String s) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '&' -> sb.append("&amp;");
                    case '"' -> sb.append("&quot;");
                    case '\'' -> sb.append("&apos;");
                    default -> {
                        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                            sb.append(c);
                        } else {
                            sb.append("\\u").append(String.format("%04x", (int) c)); // not allowed in XML 1.0
                        }
                    }
                }
            }
            return sb.toString();
        }
    }

    @Command(
            name = "replay",
            description = "What if: evaluate recorded decisions again, with the facts recorded "
                    + "then, under the policy of --config, and list every answer that would flip.")
    static final class Replay extends ConfiguredCommand {
        @Option(
                names = "--since",
                paramLabel = "WHEN",
                defaultValue = "30d",
                description = "a duration back from now (30d) or a date/time (default: ${DEFAULT-VALUE})")
        String since;

        @Option(names = "--until", paramLabel = "WHEN", description = "exclusive end; a date means the end of that day")
        String until;

        @Option(
                names = "--limit",
                defaultValue = "100",
                description = "flips to list (default: ${DEFAULT-VALUE}); all are counted")
        int limit;

        Replay(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            if (limit < 0) {
                throw new UserError("--limit must be 0 or more");
            }
            CompiledPolicy policy = Policies.compile(config);
            DecisionFilter filter = new DecisionFilter(
                    Optional.of(TypedTime.since(since, config.zone(), clock())),
                    Optional.ofNullable(until).map(u -> TypedTime.end(u, config.zone(), "--until")),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty());
            PolicyReplay.Report report = withStore(config, (db, store) -> {
                DecisionQuery query = new DecisionQuery(db.dataSource());
                try (Progress progress = new Progress(
                        spec.commandLine().getErr(),
                        context.terminal(),
                        "replay",
                        context.terminal() ? OptionalLong.of(query.count(filter)) : OptionalLong.empty(),
                        clock())) {
                    return PolicyReplay.replay(policy, query, filter, progress);
                }
            });
            print("replayed " + report.replayed() + " decisions under policy " + policy.version() + " ("
                    + report.skipped() + " skipped: refused or malformed before any policy)");
            if (report.incomplete() > 0) {
                print("note: " + report.incomplete() + " decisions lack facts the new policy reads (not fetched then); "
                        + "rules reading them fail, which can only deny");
            }
            print(report.flips().size() + " would flip: " + report.allowToDeny() + " allow -> deny, "
                    + report.denyToAllow() + " deny -> allow");
            if (!report.flips().isEmpty()) {
                Table table = new Table("TIME", "ID", "USER", "INSTANCE", "PROJECT", "WAS", "BY", "WOULD BE", "BY");
                report.flips().stream()
                        .limit(limit)
                        .forEach(f -> table.row(
                                f.record().decidedAt(),
                                f.record().decisionId(),
                                f.record().user().orElse("-"),
                                f.record().instance().orElse("-"),
                                f.record().projectId().orElse("-"),
                                f.oldEffect(),
                                f.oldRule(),
                                f.newEffect(),
                                f.newRule() + (f.incomplete() ? " (incomplete facts)" : "")));
                table.print(out());
                if (report.flips().size() > limit) {
                    print("... and " + (report.flips().size() - limit) + " more (--limit)");
                }
                print("flips by the rule that would decide:");
                report.flipsByNewRule().forEach((rule, n) -> print("  " + rule + ": " + n));
                print("flips by the rule that decided:");
                report.flipsByOldRule().forEach((rule, n) -> print("  " + rule + ": " + n));
            }
            return 0;
        }
    }

    @Command(
            name = "reload",
            description = "Ask every running server to re-read its policy now (they also do "
                    + "when their configuration file changes, and on SIGHUP).")
    static final class Reload extends ConfiguredCommand {
        @Mixin
        Options.Actor actor;

        Reload(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            CompiledPolicy policy = Policies.compile(config); // refuse to ask for a policy that would be refused
            String by = actor.value();
            long request = withStore(config, (db, store) -> store.requestPolicyReload(by));
            print("asked running servers to reload their policy (request " + request
                    + "); this configuration's policy is "
                    + policy.version() + ". Servers pick it up within store.refresh_interval ("
                    + config.store().refreshInterval().toMillis() + " ms); GET /health/ready shows \"policy\":\"stale\""
                    + " where it was refused.");
            return 0;
        }
    }
}
