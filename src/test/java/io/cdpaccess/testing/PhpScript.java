package io.cdpaccess.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one of the project's PHP tools ({@code tools/*.php}) with the {@code php} that REDCap's
 * hosts have, as a separate process. A machine without {@code php} and its cURL extension fails
 * the test with one line saying what to install: those tools are part of what ships.
 */
public final class PhpScript {

    private static final long TIMEOUT_SECONDS = 90;

    private PhpScript() {}

    /** Runs {@code php tools/SCRIPT ARGS} from the project directory to its end. */
    public static Cli.Result run(String script, String... args) throws IOException, InterruptedException {
        requirePhpWithCurl();
        Path file = Path.of("tools", script).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("no " + file);
        }
        List<String> command = new ArrayList<>(List.of("php", file.toString()));
        command.addAll(List.of(args));
        return exec(command);
    }

    private static void requirePhpWithCurl() throws IOException, InterruptedException {
        Cli.Result modules;
        try {
            modules = exec(List.of("php", "-m"));
        } catch (IOException e) {
            throw new AssertionError("php is not installed: apt-get install -y php-cli php-curl (the PHP doctor"
                    + " runs on REDCap's hosts, so its tests must run)");
        }
        if (!modules.out().lines().anyMatch("curl"::equals)) {
            throw new AssertionError("php has no cURL extension: apt-get install -y php-curl");
        }
    }

    private static Cli.Result exec(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(Map.of("LC_ALL", "C.UTF-8"));
        Process process = pb.start();
        process.getOutputStream().close();
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + TIMEOUT_SECONDS + " s");
        }
        try {
            return new Cli.Result(
                    process.exitValue(),
                    out.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    err.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not read the output of " + command, e);
        }
    }

    private static CompletableFuture<String> read(java.io.InputStream stream) {
        // A thread each, not the common pool: on two cores it has one thread, and the second stream
        // would not be read until the first ended.
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (stream) {
                        text.complete(new String(stream.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        text.completeExceptionally(e);
                    }
                },
                "php-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
