package io.cdpaccess.cli;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.ConfigWarnings;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.tls.CertificateSummary;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code config validate|new-secret|hash-secret}. */
@Command(
        name = "config",
        description = "Check configuration; make and hash caller secrets.",
        subcommands = {ConfigCommand.Validate.class, ConfigCommand.NewSecret.class, ConfigCommand.HashSecret.class})
final class ConfigCommand {

    @Command(name = "validate", description = "Check a configuration file; lists every problem with its line.")
    static final class Validate extends ConfiguredCommand {
        Validate(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig c) throws PolicyException {
            CompiledPolicy policy = Policies.compile(c);
            PrintWriter out = out();
            out.println("OK " + c.source() + ": " + c.instances().size() + " instance(s) (" + c.instanceNames()
                    + "), listen " + c.listen() + (c.tls().isPresent() ? " HTTPS" : " HTTP") + ", deadline "
                    + c.deadline().toMillis() + "ms, zone " + c.zone() + ", store "
                    + c.store().url().split("[;?]", 2)[0]);
            out.println("policy " + policy.version() + ": " + policy.rules().size() + " rules from "
                    + (c.policy().isPresent() ? policy.origin() : "the built-in default (config/default-policy.yaml)")
                    + "; facts used: " + String.join(", ", policy.variables()));
            // Reads key and certificate as serve would, so a wrong password or key shows here first.
            c.tls().ifPresent(tls -> out.println(CertificateSummary.describe(tls, clock())));
            out.println(
                    c.metrics().enabled()
                            ? "metrics: GET /metrics readable from "
                                    + c.metrics().allowFrom().stream()
                                            .map(Object::toString)
                                            .collect(java.util.stream.Collectors.joining(", "))
                            : "metrics: off");
            ConfigWarnings.of(c).forEach(warning -> out.println("warning: " + warning));
            c.instances().stream()
                    .filter(i -> i.redcapUrl().isEmpty())
                    .forEach(i -> out.println(
                            "warning: instance " + i.name() + " answers any redcap_url; set redcap_url to bind it"));
            c.instances().stream()
                    .filter(i -> i.allowFrom().isEmpty())
                    .forEach(i -> out.println("note: instance " + i.name()
                            + " accepts calls from any address; allow_from can restrict it"));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "hash-secret",
            description = "Read a secret from standard input and print sha256:<hex> "
                    + "for the configuration, so the file need not hold it in plain text.")
    static final class HashSecret implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        @SuppressWarnings("OrphanedFormatString") // the message shows a shell command with printf %s
        public Integer call() throws Exception {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.strip().isEmpty()) {
                throw new UserError(
                        "no secret on standard input; e.g.: printf %s \"$SECRET\" | cdp-access config hash-secret");
            }
            CallerSecret.parse(line.strip());
            spec.commandLine().getOut().println(CallerSecret.hashed(line.strip()));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "new-secret",
            description = "Print a new caller secret (256 random bits, base64url: safe in any URL) and its"
                    + " sha256: form for the configuration.")
    static final class NewSecret implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String secret = CallerSecret.generate();
            PrintWriter out = spec.commandLine().getOut();
            out.println("secret: " + secret);
            out.println("sha256: " + CallerSecret.hashed(secret));
            out.println("Put the secret into the URL pasted into REDCap (?secret=" + secret
                    + "), and either into the instance's secret: or, hashed, as secret: \""
                    + CallerSecret.hashed(secret)
                    + "\".");
            out.flush();
            return 0;
        }
    }
}
