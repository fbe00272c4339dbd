package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Whatever a person types, a command that cannot use it says so in one line and exits 2: every
 * option and parameter of every command, read from picocli's model so that a new option is covered
 * (or this test asks what kind of value it takes), fed wrong types, empty and huge values, values
 * out of range, control characters and paths that cannot be read or written. No run may exit 4
 * ("unexpected failure") or print a stack trace.
 */
class BadInputTest {

    static final String PROD_URL = "https://redcap.example.edu/";

    @TempDir
    static Path dir;

    static Path config;

    /** A regular file: nothing can be created beneath it, not even by root. */
    static Path aFile;

    static final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));

    /** What kind of value each option takes; a new option must be added here. */
    enum Kind {
        TEXT,
        TIME,
        DURATION,
        NUMBER,
        INPUT_FILE,
        OUTPUT_FILE,
        DATA_DIR,
        FORMAT,
        EFFECT,
        LISTEN,
        REDCAP_URL,
        SERVICE_URL
    }

    static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("--user", Kind.TEXT),
            Map.entry("--reason", Kind.TEXT),
            Map.entry("--by", Kind.TEXT),
            Map.entry("--action", Kind.TEXT),
            Map.entry("--policy-version", Kind.TEXT),
            Map.entry("--subject", Kind.TEXT),
            Map.entry("--note", Kind.TEXT),
            Map.entry("--irb", Kind.TEXT),
            Map.entry("--id", Kind.TEXT),
            Map.entry("--instance", Kind.TEXT),
            Map.entry("--source", Kind.TEXT),
            Map.entry("--from", Kind.TIME),
            Map.entry("--until", Kind.TIME),
            Map.entry("--since", Kind.TIME),
            Map.entry("--as-of", Kind.TIME),
            Map.entry("--expiring-within", Kind.DURATION),
            Map.entry("--unused-for", Kind.DURATION),
            Map.entry("--project-id", Kind.NUMBER),
            Map.entry("--limit", Kind.NUMBER),
            Map.entry("--top", Kind.NUMBER),
            Map.entry("--config", Kind.INPUT_FILE),
            Map.entry("--checkpoints", Kind.INPUT_FILE),
            Map.entry("--public-key", Kind.INPUT_FILE),
            Map.entry("CASES.yaml", Kind.INPUT_FILE),
            Map.entry("--junit", Kind.OUTPUT_FILE),
            Map.entry("--output", Kind.OUTPUT_FILE),
            Map.entry("--data-dir", Kind.DATA_DIR),
            Map.entry("--format", Kind.FORMAT),
            Map.entry("--effect", Kind.EFFECT),
            Map.entry("--listen", Kind.LISTEN),
            Map.entry("--redcap-url", Kind.REDCAP_URL),
            Map.entry("URL", Kind.SERVICE_URL));

    /** Values that make a required option or parameter valid, so that the one under test is what fails. */
    static Map<String, String> valid() {
        return Map.of(
                "--user", "alice",
                "--project-id", "1",
                "--reason", "r",
                "--redcap-url", PROD_URL,
                "--format", "csv",
                "--until", "2099-12-31",
                "--config", config.toString(),
                // Never reached: every run must stop at its input.
                "URL", "http://127.0.0.1:9/user-access",
                "CASES.yaml", "config/default-policy.cases.yaml");
    }

    /** Bad for some option yet fine for these; the option's other bad values still run. */
    static final Set<String> FINE_HERE = Set.of("policy replay --limit 0");

    @BeforeAll
    static void writeConfig() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: prod-secret-0123456789-XYZ
                """.formatted(PROD_URL));
        aFile = dir.resolve("a-file");
        Files.writeString(aFile, "not a directory");
    }

    static List<String> badValues(Kind kind) {
        List<String> common = List.of("", "a\nb", "a\u0000b", "a\u001b[2Jb");
        String huge = "9".repeat(100_000);
        List<String> specific = switch (kind) {
            case TEXT -> List.of(" ", "a\u2028b", huge);
            case TIME ->
                List.of(
                        "tomorrow",
                        "2027-13-45",
                        "2027-06-30T25:00",
                        "-999999999-01-01T00:00:00Z",
                        "+999999999-12-31T23:59:59Z",
                        "-999999999-01-01",
                        "+999999999-12-31T23:59",
                        "0000-01-01T00:00:00Z",
                        "999999999d",
                        "99999999999999999999d",
                        huge);
            case DURATION -> List.of("30", "0d", "-1d", "1.5d", "3651d", "999999999d", "soon", huge);
            case NUMBER -> List.of("abc", "0", "-1", "1.5", "99999999999999999999", huge);
            case INPUT_FILE ->
                List.of(
                        dir.toString(),
                        dir.resolve("missing.yaml").toString(),
                        aFile.resolve("x.yaml").toString(),
                        huge);
            case OUTPUT_FILE ->
                List.of(
                        dir.toString(),
                        "/nonexistent/dir/x.csv",
                        aFile.resolve("x.csv").toString(),
                        huge);
            case DATA_DIR -> List.of(aFile.toString(), aFile.resolve("data").toString(), huge);
            case FORMAT -> List.of("xml", "csv\u0000", huge);
            case EFFECT -> List.of("maybe", huge);
            case LISTEN -> List.of("host", "127.0.0.1:99999", "127.0.0.1:-1", "[::1", ":", huge);
            case REDCAP_URL -> List.of("ftp://x/", "not a url", "https://", "https://" + huge + "/");
            // Any other http(s) URL is the doctor's to diagnose (exit 1 with what is wrong).
            case SERVICE_URL -> List.of("ftp://x/", "redcap.example.edu", huge);
        };
        List<String> all = new ArrayList<>(common);
        all.addAll(specific);
        return all;
    }

    record Case(String command, List<String> args, String shown) {
        @Override
        public String toString() {
            return shown;
        }
    }

    static Stream<Case> cases() {
        CommandSpec root =
                RootCommand.commandLine(new CliContext(clock, Map.of(), false)).getCommandSpec();
        List<Case> cases = new ArrayList<>();
        collect(root, cases);
        return cases.stream();
    }

    private static void collect(CommandSpec spec, List<Case> cases) {
        if (spec.userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        if (!spec.subcommands().isEmpty()) {
            for (CommandLine sub : new LinkedHashMap<>(spec.subcommands()).values()) {
                if (sub.getCommandSpec().parent() == spec) { // aliases list a command twice
                    collect(sub.getCommandSpec(), cases);
                }
            }
            return;
        }
        String command = spec.qualifiedName(" ").replaceFirst("^cdp-access ", "");
        List<ArgSpec> args = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                args.add(o);
            }
        }
        args.addAll(spec.positionalParameters());
        for (ArgSpec arg : args) {
            String name = name(arg);
            if (arg.arity().max() == 0) {
                // A flag takes no value; giving it one is the only thing to get wrong.
                cases.add(caseOf(spec, command, arg, name + "=maybe", null));
                continue;
            }
            Kind kind = KINDS.get(name);
            if (kind == null) {
                fail("say in KINDS what kind of value " + name + " of " + command + " takes");
            }
            for (String value : badValues(kind)) {
                if (!FINE_HERE.contains(command + " " + name + " " + value)) {
                    cases.add(caseOf(spec, command, arg, null, value));
                }
            }
        }
    }

    /** The command line: valid values for what is required, then {@code arg} given {@code value}. */
    private static Case caseOf(CommandSpec spec, String command, ArgSpec arg, String flag, String value) {
        List<String> line = new ArrayList<>(List.of(command.split(" ")));
        String name = name(arg);
        for (ArgSpec required : requiredBesides(spec, arg)) {
            String n = name(required);
            if (n.equals("--config") && name.equals("--data-dir")) {
                continue; // one or the other
            }
            String v = valid().get(n);
            if (v == null) {
                fail("say in valid() what makes required " + n + " of " + command + " valid");
            }
            if (required instanceof OptionSpec) {
                line.add(n);
            }
            line.add(v);
        }
        if (flag != null) {
            line.add(flag);
        } else if (arg instanceof OptionSpec) {
            line.add(name + "=" + value); // = keeps "" and "-1" the value rather than a missing one
        } else {
            line.add(value);
        }
        String shownValue = value == null ? flag : value.length() > 40 ? value.length() + " characters" : value;
        return new Case(command, line, command + " " + name + " " + escape(shownValue));
    }

    /** What must be given for {@code arg} to be the only thing wrong: required options and groups. */
    private static List<ArgSpec> requiredBesides(CommandSpec spec, ArgSpec arg) {
        List<ArgSpec> required = new ArrayList<>();
        boolean needsConfig = spec.optionsMap().containsKey("--config");
        for (OptionSpec o : spec.options()) {
            if (o == arg || o.group() != null) {
                continue;
            }
            if (o.required() || (needsConfig && o.longestName().equals("--config"))) {
                required.add(o);
            }
        }
        for (ArgGroupSpec group : spec.argGroups()) {
            boolean testedHere = group.args().contains(arg);
            if (group.exclusive()) {
                if (group.multiplicity().min() > 0 && !testedHere) {
                    required.add(group.args().iterator().next());
                }
            } else if (group.multiplicity().min() > 0 || testedHere) {
                group.args().stream().filter(a -> a != arg && a.required()).forEach(required::add);
            }
        }
        String command = spec.qualifiedName(" ");
        if ((command.endsWith("grant revoke") || command.endsWith("grant extend"))
                && !name(arg).equals("--id")) {
            // revoke and extend pick grants by --id, or by --user with a project
            for (String n : List.of("--user", "--project-id")) {
                if (!n.equals(name(arg))) {
                    required.add(spec.findOption(n));
                }
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p != arg && p.arity().min() > 0) {
                required.add(p);
            }
        }
        return required;
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) arg).paramLabel();
    }

    private static String escape(String s) {
        return s.replace("\n", "\\n").replace("\u0000", "\\0").replace("\u001b", "\\e");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedInOneLineWithExitCode2(Case c) {
        Cli cli = new Cli(clock);
        // Generous: a run that is not refused may start serving, and must fail here rather than hang.
        Cli.Result r = assertTimeoutPreemptively(
                Duration.ofSeconds(120), () -> cli.run(c.args().toArray(new String[0])));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).startsWith("cdp-access: ").doesNotContain("\tat ");
        assertThat(r.err()).as(r.toString()).doesNotContain("unexpected failure");
        assertThat(r.out()).as(r.toString()).isEmpty();
    }
}
