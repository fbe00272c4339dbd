package io.cdpaccess.report;

import io.cdpaccess.ops.CsvText;
import io.cdpaccess.source.redcapdb.RedcapCoverage;
import io.cdpaccess.source.redcapdb.RedcapCoverage.Path;
import io.cdpaccess.source.redcapdb.RedcapCoverage.Project;
import io.cdpaccess.source.redcapdb.RedcapCoverage.State;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the gate does not cover: the projects where EHR data reaches REDCap without this service
 * being asked, from REDCap's own settings ({@link RedcapCoverage}), and the paths that bypass it
 * everywhere, which no REDCap column shows. An administrator relying on the service must know
 * both; the report says so in both formats.
 *
 * <p>CSV is one long table, {@code scope,project_id,name,value}: {@code everywhere} rows for the
 * paths no column shows; {@code system} rows for REDCap's settings ({@code redcap_config}); then
 * for each project with EHR data pull enabled or a path opened, {@code project} rows for {@code
 * status}, {@code data_pull} and each path's column ({@code on}, {@code off}, or {@code unknown:
 * column absent} where this REDCap version has no such column), and {@code around_the_service}:
 * the paths that are on, {@code ; }-separated, {@code none} for none.
 */
public final class CoverageReport {

    static final List<String> CSV_HEADER = List.of("scope", "project_id", "name", "value");

    static final String ABSENT = "unknown: column absent";

    /** What no REDCap column shows, said in every coverage report. */
    static final Map<String, String> EVERYWHERE = Map.of(
            "background pulls with stored EHR tokens",
            "bypass the service in every project with EHR data pull; no REDCap column shows them",
            "data preview",
            "bypasses the service in every project with EHR data pull; no REDCap column shows it");

    private static final Map<String, String> MEANING = Map.of(
            "fhir_cdp_allow_auto_adjudication", "whether projects may turn on CDP auto-adjudication",
            "fhir_break_the_glass_enabled", "whether Epic Break-the-Glass is enabled",
            "fhir_data_mart_create_project", "REDCap's setting for creating Clinical Data Mart projects",
            "fhir_user_rights_super_users_only", "whether only administrators may give users CDP rights");

    private final String source;
    private final String database;
    private final RedcapCoverage.Coverage coverage;
    private final ZoneId zone;
    private final Instant generatedAt;

    /**
     * @param source the redcapdb source's name
     * @param database where its database is, without credentials
     */
    public CoverageReport(
            String source, String database, RedcapCoverage.Coverage coverage, ZoneId zone, Instant generatedAt) {
        this.source = source;
        this.database = database;
        this.coverage = coverage;
        this.zone = zone;
        this.generatedAt = generatedAt;
    }

    /** Writes the report; returns how many rows (CSV) or pages (HTML, one) it wrote. */
    public long write(ReportFormat format, Writer w) throws IOException {
        return format == ReportFormat.CSV ? csv(w) : html(w);
    }

    private long csv(Writer w) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        new java.util.TreeMap<>(EVERYWHERE).forEach((name, value) -> rows.add(row("everywhere", "", name, value)));
        coverage.settings().forEach((name, value) -> rows.add(row("system", "", name, setting(value))));
        for (Project p : coverage.projects()) {
            String id = Long.toString(p.projectId());
            rows.add(row("project", id, "status", status(p.status())));
            rows.add(row("project", id, "data_pull", dataPull(p)));
            for (Path path : Path.values()) {
                rows.add(row("project", id, path.column(), state(p.paths().get(path))));
            }
            rows.add(row("project", id, "around_the_service", around(p)));
        }
        w.write(CsvText.line(CSV_HEADER));
        for (List<Object> row : rows) {
            w.write(CsvText.line(row));
        }
        return rows.size();
    }

    private static List<Object> row(String scope, String project, String name, String value) {
        return List.of(scope, project, name, value);
    }

    private long html(Writer w) throws IOException {
        DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        long around =
                coverage.projects().stream().filter(p -> !p.open().isEmpty()).count();
        long dataPull = coverage.projects().stream()
                .filter(p -> p.dataPull() == State.ON)
                .count();
        HtmlPage page = new HtmlPage(
                        "Coverage report: what reaches REDCap without cdp-access",
                        "Generated " + generatedAt.atZone(zone).format(local) + " (" + zone
                                + ") from REDCap's database (source '" + source + "', " + database + ")")
                .summary("Projects with a path around the service", around)
                .summary("Projects with EHR data pull enabled", dataPull)
                .summary("Other projects (not deleted)", coverage.otherProjects())
                .summary(
                        "REDCap columns absent",
                        coverage.absentColumns().isEmpty() ? "none" : String.join(", ", coverage.absentColumns()));
        page.heading("Everywhere")
                .paragraph("REDCap asks this service only when a user fetches EHR data in a project. Data preview and"
                        + " background pulls with stored EHR tokens bypass it in every project with EHR data pull,"
                        + " and no REDCap column shows where they happen.");
        page.heading("System settings (redcap_config)");
        List<List<Object>> settings = new ArrayList<>();
        coverage.settings()
                .forEach((name, value) -> settings.add(List.of(name, setting(value), MEANING.getOrDefault(name, ""))));
        page.table(List.of("setting", "value", "what it controls"), settings, "no settings read");
        page.heading("Projects")
                .paragraph("Each project with EHR data pull enabled or a path around the service turned on, as its own"
                        + " settings in redcap_projects say; the system settings above say whether REDCap allows a"
                        + " path at all. Deleted projects are left out.");
        List<String> headers = new ArrayList<>(List.of("project", "status", "data pull"));
        for (Path path : Path.values()) {
            headers.add(path.label());
        }
        headers.add("around the service");
        List<List<Object>> rows = new ArrayList<>();
        for (Project p : coverage.projects()) {
            List<Object> cells = new ArrayList<>();
            cells.add(Long.toString(p.projectId()));
            cells.add(status(p.status()));
            cells.add(dataPull(p));
            for (Path path : Path.values()) {
                cells.add(state(p.paths().get(path)));
            }
            cells.add(around(p));
            rows.add(cells);
        }
        page.table(headers, rows, "no project has EHR data pull or a path around the service");
        w.write(page.render());
        return 1;
    }

    private String setting(Optional<String> value) {
        if (!coverage.configTable()) {
            return "unknown: no redcap_config table";
        }
        return value.orElse("unknown: no such row");
    }

    static String state(State s) {
        return switch (s) {
            case ON -> "on";
            case OFF -> "off";
            case UNKNOWN -> ABSENT;
        };
    }

    private static String status(Optional<Long> status) {
        return status.map(s -> switch (s.intValue()) {
                    case 0 -> "development";
                    case 1 -> "production";
                    case 2 -> "analysis";
                    case 3 -> "archived";
                    default -> Long.toString(s);
                })
                .orElse(ABSENT);
    }

    private static String dataPull(Project p) {
        return switch (p.dataPull()) {
            case ON ->
                p.dataPullType()
                        .map(t -> t.equalsIgnoreCase("FHIR")
                                ? "CDP (FHIR)"
                                : t.equalsIgnoreCase("CUSTOM") ? "DDP Custom" : t)
                        .orElse("on");
            case OFF -> "off";
            case UNKNOWN -> ABSENT;
        };
    }

    private static String around(Project p) {
        List<Path> open = p.open();
        return open.isEmpty() ? "none" : open.stream().map(Path::label).collect(Collectors.joining("; "));
    }
}
