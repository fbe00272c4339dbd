package io.cdpaccess.cli;

import io.cdpaccess.doctor.Doctor;
import io.cdpaccess.doctor.Finding;
import io.cdpaccess.doctor.Report;
import io.cdpaccess.doctor.Sample;
import io.cdpaccess.time.Ticker;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code doctor URL}: calls the URL pasted into REDCap as REDCap would and says what would go
 * wrong, because REDCap's CDP settings page never calls it and a mistake there otherwise shows up
 * only as researchers being denied. Needs no configuration: it runs on the REDCap host, against
 * any User Access service. Exit 0 when REDCap's calls would work, 1 when not.
 */
@Command(
        name = "doctor",
        description = "Call a User Access URL as REDCap does (Test button's empty POST, then an optional sample) and"
                + " print what would go wrong. Exit 0 when REDCap's calls would work, 1 when not.")
final class DoctorCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL", description = "the URL exactly as pasted into REDCap")
    String url;

    @ArgGroup(exclusive = false, multiplicity = "0..1")
    SampleOptions sample;

    /** The three fields of a sample request: all or none. */
    static final class SampleOptions {
        @Option(names = "--redcap-url", required = true, paramLabel = "R", description = "REDCap's base URL")
        String redcapUrl;

        @Option(names = "--user", required = true, paramLabel = "U", description = "a REDCap username")
        String user;

        @Option(names = "--project-id", required = true, paramLabel = "P", description = "a project id")
        String projectId;
    }

    @Spec
    CommandSpec spec;

    private final CliContext context;

    DoctorCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (!url.strip().toLowerCase(Locale.ROOT).matches("https?://.*")) {
            throw new UserError("URL must start with http:// or https:// (the URL as pasted into REDCap)");
        }
        Optional<Sample> request = Optional.ofNullable(sample).map(s -> {
            if (!s.projectId.matches("[1-9][0-9]*")) {
                throw new UserError("--project-id must be a positive decimal number, as REDCap sends it");
            }
            // REDCap lower-cases the login name with PHP's ASCII-only strtolower.
            return new Sample(lowerAscii(s.user), s.projectId, s.redcapUrl);
        });
        Report report = new Doctor(context.clock(), Ticker.system()).examine(url, request);
        PrintWriter out = spec.commandLine().getOut();
        report.findings().stream().map(Finding::line).forEach(out::println);
        out.println("REDCap would store " + report.redcapWouldStore());
        long problems = report.findings().stream()
                .filter(f -> f.severity() == Finding.Severity.PROBLEM)
                .count();
        out.println(
                report.works()
                        ? "result: REDCap's calls to this URL would work"
                        : "result: REDCap's calls to this URL would not work (" + problems + " problem"
                                + (problems == 1 ? "" : "s") + ")");
        out.flush();
        return report.works() ? 0 : RootCommand.EXIT_DENIED;
    }

    private static String lowerAscii(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.chars().forEach(c -> sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c)));
        return sb.toString();
    }
}
