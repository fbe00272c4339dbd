package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.AuditVerifier.Break;
import io.cdpaccess.audit.AuditVerifier.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The outside verifier ({@code tools/cdp-access-audit-verify.py}, written from the README's
 * encoding) run on an {@code audit export} of a database, and the service's report in the words
 * it prints, so that tests can require both to say the same.
 */
final class OutsideVerifier {

    private OutsideVerifier() {}

    static List<String> verdict(Report report) {
        List<String> lines = new ArrayList<>();
        for (Break b : report.breaks()) {
            lines.add("BREAK " + b.table() + " chain " + b.chainId() + " place " + b.seq() + " (" + b.recordId() + "): "
                    + b.kind().label());
        }
        java.util.Collections.sort(lines);
        lines.add(
                report.verifies()
                        ? "all " + report.records() + " records in " + report.chains() + " chains verify"
                        : report.breaks().size() + " chain(s) broken; checked " + report.records() + " records in "
                                + report.chains() + " chains");
        return lines;
    }

    static List<String> outsideVerdict(DataSource dataSource) throws SQLException {
        List<String> lines = new ArrayList<>(run(dataSource, List.of()));
        String summary = lines.remove(lines.size() - 1);
        java.util.Collections.sort(lines);
        lines.add(summary);
        return lines;
    }

    /** What the outside verifier prints for an export of the database now, with {@code args}. */
    static List<String> run(DataSource dataSource, List<String> args) throws SQLException {
        try {
            Path export = Files.createTempFile("audit-export", ".jsonl");
            try {
                try (java.io.Writer w = Files.newBufferedWriter(export)) {
                    new AuditExport(dataSource).write(w, n -> {});
                }
                List<String> command = new ArrayList<>(List.of(
                        "python3", Path.of("tools/cdp-access-audit-verify.py").toString(), export.toString()));
                command.addAll(args);
                Process python =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String out =
                        new String(python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(python.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                List<String> lines = out.lines().toList();
                boolean holds = lines.stream().noneMatch(l -> l.startsWith("BREAK "));
                assertThat(python.exitValue()).as(out).isEqualTo(holds ? 0 : 1);
                return lines;
            } finally {
                Files.deleteIfExists(export);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("python3 must be installed (.ci/run installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
