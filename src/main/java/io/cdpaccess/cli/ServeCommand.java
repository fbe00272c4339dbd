package io.cdpaccess.cli;

import io.cdpaccess.Application;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.EmbeddedDefaults;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.http.Health;
import io.cdpaccess.http.RedcapListener;
import io.cdpaccess.http.WarmUp;
import io.cdpaccess.net.HostPort;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code serve}: runs the service until the process is stopped (SIGTERM / Ctrl-C). */
@Command(
        name = "serve",
        description = "Run the user-access service (first run without --config creates "
                + "./cdp-access-data with a generated secret).")
final class ServeCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "listen here instead of the configured address (e.g. 0.0.0.0:8443)")
    String listen;

    @picocli.CommandLine.Option(
            names = "--stop-when-ready",
            description = "start, warm up, say whether the service became ready, and stop (exit 0 if it did, 1 if"
                    + " not): a smoke test of a configuration, and the training run of a class-data archive")
    boolean stopWhenReady;

    ServeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        ConfigOptions.Loaded loaded = options.load(context);
        // What the command line sets over the file holds for every reload of it too.
        UnaryOperator<ServiceConfig> commandLine;
        if (listen != null) {
            HostPort address = listenAddress(listen);
            commandLine = c -> c.withListen(address);
        } else {
            commandLine = UnaryOperator.identity();
        }
        ServiceConfig config = commandLine.apply(loaded.config());
        java.util.List<String> unsafe = OwnerOnlyFiles.problems(config);
        if (!unsafe.isEmpty()) {
            throw new UserError("refusing to start: " + unsafe.get(0)
                    + (unsafe.size() > 1 ? " (and " + (unsafe.size() - 1) + " more like it)" : ""));
        }
        Application app =
                Application.start(config, new ConfigLoader(context.environment()), commandLine, context.clock());
        if (stopWhenReady) {
            return reportAndStop(app);
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        onTerminationSignal(stopRequested::countDown, app::close);
        onSignal("HUP", () -> app.reloadPolicy("SIGHUP"));
        banner(spec.commandLine().getOut(), app, loaded, context.terminal());
        stopRequested.await();
        // Stop taking requests, drain the decision log, close the store; then exit 0 so that a
        // service manager sees a clean stop rather than "killed by SIGTERM" (exit 143).
        app.close();
        return 0;
    }

    private int reportAndStop(Application app) {
        Health.Readiness ready;
        WarmUp.Report warmUp;
        int port;
        try (app) {
            ready = app.readiness();
            warmUp = app.warmUp();
            port = app.port();
        }
        PrintWriter out = spec.commandLine().getOut();
        String warm = warmUp.incomplete()
                .map(why -> "warm-up incomplete after " + warmUp.took().toMillis() + " ms: " + why)
                .orElse("warmed up in " + warmUp.took().toMillis() + " ms (" + warmUp.rehearsed()
                        + " rehearsals of REDCap's call)");
        if (ready.ready()) {
            out.println("ready on port " + port + "; " + warm + "; stopped");
            return 0;
        }
        out.println("not ready (store " + (ready.store() ? "up" : "down") + ", decision log "
                + (ready.decisionLog() ? "up" : "down") + ", watchers " + (ready.watchers() ? "running" : "stopped")
                + "); " + warm + "; stopped");
        return 1;
    }

    /** Runs {@code action} on the named signal where the platform has it (SIGHUP: not on Windows). */
    private static void onSignal(String name, Runnable action) {
        // Without it, `cdp-access policy reload` does the same through the store.
        Signals.handle(name, action);
    }

    /**
     * Runs {@code requestStop} on SIGTERM and SIGINT, an orderly stop with exit code 0; where
     * signals cannot be handled, a shutdown hook runs {@code closeNow} instead, with the JVM's own
     * exit code.
     */
    private static void onTerminationSignal(Runnable requestStop, Runnable closeNow) {
        if (!Signals.handle("TERM", requestStop) || !Signals.handle("INT", requestStop)) {
            Runtime.getRuntime().addShutdownHook(new Thread(closeNow, "cdp-access-shutdown"));
        }
    }

    static ServiceConfig withListen(ServiceConfig c, String address) {
        return c.withListen(listenAddress(address));
    }

    private static HostPort listenAddress(String address) {
        try {
            return HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            throw new UserError("--listen: " + e.getMessage());
        }
    }

    /**
     * What {@code serve} prints once it listens: where, the URL to paste into REDCap, and how to
     * grant and check access. The secret is printed in full only where a person reads it: on the
     * first run (which must tell them) or on an interactive terminal; a later run under a service
     * manager writes a placeholder instead, so the secret does not end up in its log.
     *
     * @param terminal whether standard output is an interactive terminal
     */
    static void banner(PrintWriter out, Application app, ConfigOptions.Loaded loaded, boolean terminal) {
        ServiceConfig config = app.config();
        boolean firstRun =
                loaded.embedded().map(EmbeddedDefaults.Setup::created).orElse(false);
        String host = config.listen().host().equals("0.0.0.0")
                        || config.listen().host().equals("::")
                ? "<this-server's-name>"
                : config.listen().urlHost();
        String base =
                (app.https() ? "https" : "http") + "://" + host + ":" + app.port() + RedcapListener.USER_ACCESS_PATH;
        out.println("cdp-access is listening on " + config.listen().urlHost() + ":" + app.port()
                + (app.https() ? " (HTTPS)" : "") + "; store: " + app.database().description());
        out.println("Configuration: " + config.source().toAbsolutePath()
                + (firstRun ? " (generated now, with a new random secret)" : ""));
        out.println();
        out.println("Paste this URL into REDCap: Control Center > CDIS (\"User Access Web Service URL\") for Clinical");
        out.println("Data Pull, or the DDP Custom settings page for DDP:");
        boolean showSecret = loaded.embedded().isPresent() && (firstRun || terminal);
        for (InstanceConfig instance : config.instances()) {
            String secret = showSecret
                    ? instance.secret().plainText().orElse("<secret of instance " + instance.name() + ">")
                    : "<secret of instance " + instance.name() + ", see "
                            + config.source().getFileName() + ">";
            out.println("  " + instance.name() + ": " + base + "?secret=" + secret);
            if (instance.redcapUrl().isEmpty()) {
                out.println(
                        "    (answers any redcap_url; set redcap_url in the configuration to bind it to one REDCap)");
            }
        }
        out.println();
        out.println("Grant someone access (in another terminal, while this keeps running):");
        String configArg = loaded.embedded().isPresent() ? "" : " --config " + config.source();
        out.println("  java -jar target/cdp-access.jar grant add" + configArg + " --instance "
                + config.instances().get(0).name()
                + " --user alice --project-id 42 --until 2027-06-30 --reason \"IRB-123\"");
        out.println("Ask what REDCap would be told:");
        out.println("  java -jar target/cdp-access.jar check" + configArg
                + " --user alice --project-id 42 --redcap-url "
                + config.instances().get(0).redcapUrl().map(Object::toString).orElse("https://redcap.example.edu/"));
        out.flush();
    }
}
