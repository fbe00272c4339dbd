package io.cdpaccess.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@code cdp-access} command that runs to its end as a separate operating-system process, from
 * the test classpath: what a person sees of it (exit code, standard output, and standard error
 * including anything the logs or the JVM print), and several of them at once on one directory.
 */
public final class ChildCommand {

    private static final long TIMEOUT_SECONDS = 60;

    private final Process process;
    private final CompletableFuture<String> out;
    private final CompletableFuture<String> err;

    private ChildCommand(Process process) {
        this.process = process;
        this.out = read(process.getInputStream());
        this.err = read(process.getErrorStream());
    }

    /** Starts {@code cdp-access ARGS} in {@code workDir} with {@code env} added to this JVM's environment. */
    public static ChildCommand start(Path workDir, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = ChildService.process(workDir, env, List.of(args));
        Process process = pb.start();
        process.getOutputStream().close(); // no input: a command that asks would see end of file
        return new ChildCommand(process);
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Runs {@code cdp-access ARGS} to its end. */
    public static Cli.Result run(Path workDir, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return start(workDir, env, args).await();
    }

    /** Waits (at most 60 s) for the command to end. */
    public Cli.Result await() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the command did not end within " + TIMEOUT_SECONDS + " s");
        }
        try {
            return new Cli.Result(
                    process.exitValue(),
                    out.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    err.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("could not read the command's output", e);
        }
    }

    /** Reads {@code stream} to its end on a thread of its own, so that the child never blocks on a full pipe. */
    private static CompletableFuture<String> read(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (stream) {
                        text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        text.completeExceptionally(new UncheckedIOException(e));
                    }
                },
                "child-command-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
