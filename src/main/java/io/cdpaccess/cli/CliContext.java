package io.cdpaccess.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.Map;

/**
 * What commands take from their surroundings, injected so tests can pin time, environment and
 * terminal.
 *
 * @param environment for {@code ${NAME}} in configuration and {@code CDP_ACCESS_CONFIG}
 * @param terminal whether standard output is an interactive terminal (a person reading it), as
 *     opposed to a file, a pipe or a service manager's log
 */
public record CliContext(Clock clock, Map<String, String> environment, boolean terminal) {

    public CliContext {
        environment = Map.copyOf(environment);
    }

    public static CliContext system() {
        return new CliContext(Clock.systemUTC(), System.getenv(), interactiveTerminal());
    }

    /**
     * Whether this process writes to a terminal. Before Java 22 {@link System#console()} is null
     * unless standard input and output are a terminal; from Java 22 on it is there even when output
     * is redirected, and {@code Console.isTerminal()} (found reflectively, as the build targets 17)
     * tells.
     */
    @SuppressWarnings("SystemConsoleNull") // the point of this method: null says "no terminal" only before 22
    static boolean interactiveTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        } catch (NoSuchMethodException olderJava) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // when in doubt, not a terminal: the secret stays off the screen
        }
    }
}
