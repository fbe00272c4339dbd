package io.cdpaccess.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of {@code java -jar cdp-access.jar}: runs the command line against the real system. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // UTF-8 whatever the platform default: exports and usernames must survive a Windows console.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(RootCommand.execute(CliContext.system(), out, err, args));
    }
}
