package io.cdpaccess.cli;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.protocol.UnsafeText;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cdp-access} command line: the root command and the one place exceptions become
 * one-line messages and exit codes. Exit codes: 0 done (for {@code check}: allowed),
 * 1 {@code check} denied or {@code doctor} found that REDCap's calls would not work, 2 bad input or
 * configuration, 3 store unreachable, 4 unexpected failure.
 */
@Command(
        name = "cdp-access",
        mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class,
        description = "User Access Web Service for REDCap Clinical Data Pull and DDP Custom.",
        subcommands = {
            ServeCommand.class,
            GrantCommand.class,
            ProjectCommand.class,
            BlockCommand.class,
            DecisionsCommand.class,
            AuditCommand.class,
            ChangesCommand.class,
            ReportCommand.class,
            CheckCommand.class,
            PolicyCommand.class,
            SourcesCommand.class,
            ConfigCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        })
public final class RootCommand implements Runnable {

    static final int EXIT_DENIED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_STORE = 3;
    static final int EXIT_FAILURE = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs a command line with the given surroundings and returns its exit code. */
    public static int execute(CliContext context, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(context);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof ConfigException c) {
                c.problems().forEach(p -> w.println(line(p)));
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof PolicyException p) {
                p.problems().forEach(problem -> w.println(line(problem)));
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof UserError || e instanceof IllegalArgumentException) {
                w.println(line(e.getMessage()));
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof StoreException) {
                w.println(line(e.getMessage()));
                w.flush();
                return EXIT_STORE;
            }
            if (e instanceof UncheckedIOException u) {
                w.println(line(u.getMessage()));
                w.flush();
                return EXIT_FAILURE;
            }
            w.println(line("unexpected failure: " + e + " (please report it with the service log)"));
            w.flush();
            return EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println(line(e.getMessage() + " (see: "
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)"));
            w.flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    /** The command tree, its commands built with {@code context}; tests walk its options. */
    static CommandLine commandLine(CliContext context) {
        CommandLine cli = new CommandLine(new RootCommand(), new ContextFactory(context));
        cli.registerConverter(Path.class, RootCommand::typedPath);
        return cli;
    }

    /**
     * A path typed by a person. Empty, blank or holding a line break it is a slip of the keyboard
     * (an unset shell variable, a stray paste), never a place to create an embedded setup in or to
     * write an export to.
     */
    static Path typedPath(String text) {
        if (text.isBlank() || UnsafeText.hasLineBreaker(text)) {
            throw new CommandLine.TypeConversionException("expected a path, got " + UnsafeText.quote(text));
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("not a usable path: " + e.getReason());
        }
    }

    /**
     * One line of an error message: what the person typed is quoted in many messages, and a line
     * break or bidirectional override in it must neither add a line nor reorder this one.
     */
    static String line(String message) {
        return "cdp-access: " + UnsafeText.escape(String.valueOf(message));
    }

    /** Gives commands that want it the {@link CliContext}; everything else is built as usual. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> withContext = type.getDeclaredConstructor(CliContext.class);
                withContext.setAccessible(true);
                return withContext.newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** Version from the jar manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RootCommand.class.getPackage().getImplementationVersion();
            return new String[] {"cdp-access " + (v == null ? "development build" : v)};
        }
    }
}
