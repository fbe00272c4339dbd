package io.cdpaccess.cli;

import io.cdpaccess.Application;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.http.RedcapListener;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code serve}: runs the service until the process is stopped (SIGTERM / Ctrl-C). */
@Command(name = "serve", description = "Run the user-access service (first run without --config creates "
        + "./cdp-access-data with a generated secret).")
final class ServeCommand implements Callable<Integer> {

    private final CliContext context;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    ServeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        ConfigOptions.Loaded loaded = options.load(context);
        ServiceConfig config = loaded.config();
        Application app = Application.start(config, context.clock());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "cdp-access-shutdown"));
        banner(spec.commandLine().getOut(), app, loaded);
        stopped.await();
        return 0;
    }

    private void banner(PrintWriter out, Application app, ConfigOptions.Loaded loaded) {
        ServiceConfig config = app.config();
        boolean firstRun = loaded.embedded().map(e -> e.created()).orElse(false);
        String host = config.listen().host().equals("0.0.0.0") || config.listen().host().equals("::")
                ? "<this-server's-name>" : config.listen().urlHost();
        String base = (app.https() ? "https" : "http") + "://" + host + ":" + app.port() + RedcapListener.USER_ACCESS_PATH;
        out.println("cdp-access is listening on " + config.listen().urlHost() + ":" + app.port()
                + (app.https() ? " (HTTPS)" : "") + "; store: " + app.database().description());
        out.println("Configuration: " + config.source().toAbsolutePath()
                + (firstRun ? " (generated now, with a new random secret)" : ""));
        out.println();
        out.println("Paste this URL into REDCap: Control Center > CDIS (\"User Access Web Service URL\") for Clinical");
        out.println("Data Pull, or the DDP Custom settings page for DDP:");
        boolean showSecret = loaded.embedded().isPresent() && (firstRun || System.console() != null);
        for (InstanceConfig instance : config.instances()) {
            String secret = showSecret ? instance.secret().plainText().orElse("<secret of instance " + instance.name() + ">")
                    : "<secret of instance " + instance.name() + ", see " + config.source().getFileName() + ">";
            out.println("  " + instance.name() + ": " + base + "?secret=" + secret);
            if (instance.redcapUrl().isEmpty()) {
                out.println("    (answers any redcap_url; set redcap_url in the configuration to bind it to one REDCap)");
            }
        }
        out.println();
        out.println("Grant someone access (in another terminal, while this keeps running):");
        String configArg = loaded.embedded().isPresent() ? "" : " --config " + config.source();
        out.println("  java -jar target/cdp-access.jar grant add" + configArg + " --instance "
                + config.instances().get(0).name() + " --user alice --project-id 42 --until 2027-06-30 --reason \"IRB-123\"");
        out.println("Ask what REDCap would be told:");
        out.println("  java -jar target/cdp-access.jar check" + configArg + " --user alice --project-id 42 --redcap-url "
                + config.instances().get(0).redcapUrl().map(Object::toString).orElse("https://redcap.example.edu/"));
        out.flush();
    }
}
