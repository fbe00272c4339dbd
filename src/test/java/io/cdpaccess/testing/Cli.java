package io.cdpaccess.testing;

import io.cdpaccess.cli.CliContext;
import io.cdpaccess.cli.RootCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;

/** Runs the real command line in this JVM with a given clock, capturing what a person would see. */
public final class Cli {

    /** Exit code and the two output streams. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private final Clock clock;
    private final Map<String, String> environment;

    public Cli(Clock clock, Map<String, String> environment) {
        this.clock = clock;
        this.environment = environment;
    }

    public Cli(Clock clock) {
        this(clock, Map.of());
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RootCommand.execute(
                new CliContext(clock, environment, false),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                args);
        return new Result(code, out.toString(), err.toString());
    }
}
