package io.cdpaccess.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cdp-access serve} as a separate operating-system process, started from the test
 * classpath, so that tests can do to it what happens in production: run the CLI against it from
 * another process, stop it with SIGTERM, or kill it with SIGKILL.
 */
public final class ChildService implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    private static final Pattern BANNER_END = Pattern.compile("cdp-access.jar check ");

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final int port;

    private ChildService(Process process) throws IOException, InterruptedException {
        this.process = process;
        drain(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), stdout);
        drain(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), stderr);
        this.port = awaitPort();
    }

    /** Starts {@code serve} with the given arguments and waits until it prints where it listens. */
    public static ChildService serve(Path workDir, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("serve"));
        command.addAll(List.of(args));
        return new ChildService(process(workDir, env, command).start());
    }

    /** {@code cdp-access ARGS} as its own JVM on the test classpath, not yet started. */
    /**
     * The JaCoCo agent this test JVM runs with (from {@code jacoco:prepare-agent}), if any, for the
     * child too: what the tests exercise in a child process (serve's start-up checks, the store
     * lost while serving) counts in the coverage report. The agent appends to the same file,
     * under a file lock, when the child exits normally.
     */
    private static List<String> coverageAgent() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-javaagent:") && a.contains("jacoco"))
                .toList();
    }

    static ProcessBuilder process(Path workDir, Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(coverageAgent());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.cdpaccess.cli.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(env);
        return pb;
    }

    public int port() {
        return port;
    }

    /** The operating-system process id of the JVM running {@code serve}. */
    public long pid() {
        return process.pid();
    }

    public String stdout() {
        return String.join("\n", stdout);
    }

    /**
     * Standard output once a line matching {@code pattern} was printed (within 30 s): what a test
     * asserts must be waited for, as the banner is printed after the port line.
     */
    public String awaitStdout(Pattern pattern) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stdout.stream().noneMatch(line -> pattern.matcher(line).find())) {
            if (!process.isAlive() || System.nanoTime() > until) {
                throw new AssertionError("serve never printed " + pattern + "\n" + stdout() + "\n" + stderr());
            }
            Thread.sleep(20);
        }
        return stdout();
    }

    /** Standard output once the whole banner (its last line tells how to run {@code check}) was printed. */
    public String awaitBanner() throws InterruptedException {
        return awaitStdout(BANNER_END);
    }

    public String stderr() {
        return String.join("\n", stderr);
    }

    /** SIGTERM, as systemd or Ctrl-C would; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("serve did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hooks, no flushing, as in a crash or an OOM kill. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private int awaitPort() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            for (String line : stdout) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(2));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        "serve exited with " + process.exitValue() + "\n" + stdout() + "\n" + stderr());
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("serve did not start within 60 s\n" + stdout() + "\n" + stderr());
    }

    private static void drain(BufferedReader reader, List<String> sink) {
        Thread t = new Thread(
                () -> {
                    try (reader) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            sink.add(line);
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                },
                "child-output");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
