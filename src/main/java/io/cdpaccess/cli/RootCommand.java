package io.cdpaccess.cli;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.policy.PolicyException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
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
            CheckCommand.class,
            PolicyCommand.class,
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
        CommandLine cli = new CommandLine(new RootCommand(), new ContextFactory(context));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof ConfigException c) {
                c.problems().forEach(p -> w.println("cdp-access: " + p));
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof PolicyException p) {
                p.problems().forEach(problem -> w.println("cdp-access: " + problem));
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof UserError || e instanceof IllegalArgumentException) {
                w.println("cdp-access: " + e.getMessage());
                w.flush();
                return EXIT_USAGE;
            }
            if (e instanceof StoreException) {
                w.println("cdp-access: " + e.getMessage());
                w.flush();
                return EXIT_STORE;
            }
            if (e instanceof UncheckedIOException u) {
                w.println("cdp-access: " + u.getMessage());
                w.flush();
                return EXIT_FAILURE;
            }
            w.println("cdp-access: unexpected failure: " + e + " (please report it with the service log)");
            w.flush();
            return EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("cdp-access: " + e.getMessage());
            w.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            w.flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
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
