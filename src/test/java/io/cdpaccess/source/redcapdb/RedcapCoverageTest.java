package io.cdpaccess.source.redcapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.HeadlessChromium;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report coverage} through the real command line against a real MariaDB holding REDCap's
 * tables: a REDCap that has every column and setting REDCAP.md lists, with projects on each path
 * around the service, and an older one ({@link RedcapTables}: no {@code redcap_config}, none of
 * the path columns), which is reported as unknown rather than failing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedcapCoverageTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(RedcapTables.NOW);

    private TestDatabase current;
    private TestDatabase older;

    /** The columns and settings of REDCAP.md's "Paths that bypass this service". */
    static final String[] CURRENT = {
        "CREATE TABLE redcap_projects ("
                + " project_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                + " project_irb_number VARCHAR(255) NULL,"
                + " status INT NOT NULL DEFAULT 0,"
                + " date_deleted DATETIME NULL,"
                + " realtime_webservice_enabled INT NOT NULL DEFAULT 0,"
                + " realtime_webservice_type ENUM('CUSTOM','FHIR') NULL,"
                + " fhir_cdp_auto_adjudication_enabled TINYINT(1) NOT NULL DEFAULT 0,"
                + " fhir_cdp_auto_adjudication_cronjob_enabled TINYINT(1) NOT NULL DEFAULT 0,"
                + " datamart_enabled TINYINT(1) NOT NULL DEFAULT 0,"
                + " datamart_cron_enabled TINYINT(1) NOT NULL DEFAULT 0,"
                + " break_the_glass_enabled TINYINT(1) NOT NULL DEFAULT 0"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE TABLE redcap_config ("
                + " field_name VARCHAR(191) NOT NULL PRIMARY KEY,"
                + " value MEDIUMTEXT NULL"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        // 42 CDP with auto-adjudication and its cron; 43 DDP Custom only; 44 nothing; 45 deleted
        // (its settings do not count); 50 a Data Mart with its cron; 51 CDP with Break-the-Glass;
        // 52 archived, nothing.
        "INSERT INTO redcap_projects (project_id, status, date_deleted, realtime_webservice_enabled,"
                + " realtime_webservice_type, fhir_cdp_auto_adjudication_enabled,"
                + " fhir_cdp_auto_adjudication_cronjob_enabled, datamart_enabled, datamart_cron_enabled,"
                + " break_the_glass_enabled) VALUES"
                + " (42, 1, NULL, 1, 'FHIR', 1, 1, 0, 0, 0),"
                + " (43, 1, NULL, 1, 'CUSTOM', 0, 0, 0, 0, 0),"
                + " (44, 0, NULL, 0, NULL, 0, 0, 0, 0, 0),"
                + " (45, 1, '2026-11-20 08:00:00', 1, 'FHIR', 1, 0, 0, 0, 0),"
                + " (50, 1, NULL, 0, NULL, 0, 0, 1, 1, 0),"
                + " (51, 2, NULL, 1, 'FHIR', 0, 0, 0, 0, 1),"
                + " (52, 3, NULL, 0, NULL, 0, 0, 0, 0, 0)",
        // fhir_user_rights_super_users_only is missing; one value is what a spreadsheet would run.
        "INSERT INTO redcap_config (field_name, value) VALUES"
                + " ('fhir_cdp_allow_auto_adjudication', '1'),"
                + " ('fhir_break_the_glass_enabled', '1'),"
                + " ('fhir_data_mart_create_project', '=HYPERLINK(\"http://evil.example/\",\"0\")'),"
                + " ('project_contact_email', 'redcap@example.edu')",
    };

    @BeforeAll
    void buildBothRedcaps() throws SQLException {
        current = TestDatabases.create(TestDatabases.Kind.MARIADB);
        try (Connection c = DriverManager.getConnection(
                        current.config().url(),
                        current.config().user(),
                        current.config().password().reveal());
                Statement s = c.createStatement()) {
            for (String sql : CURRENT) {
                s.execute(sql);
            }
        }
        older = TestDatabases.create(TestDatabases.Kind.MARIADB);
        RedcapTables.create(older, RedcapTables.EHR_MAP, RedcapTables.ROWS);
    }

    private Path config(String sources) throws Exception {
        Path file = dir.resolve("cdp-access.yaml");
        Files.writeString(file, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789-XYZ
                """ + sources);
        return file;
    }

    private static String source(String name, TestDatabase db) {
        return """
                  - name: %s
                    type: redcapdb
                    url: %s
                    user: %s
                    password: ${REDCAP_DB_PASSWORD}
                    timeout: 2s
                """.formatted(name, db.config().url(), db.config().user());
    }

    private Cli.Result run(TestDatabase db, String... args) {
        return new Cli(
                        clock,
                        Map.of("REDCAP_DB_PASSWORD", db.config().password().reveal()))
                .run(args);
    }

    @Test
    void csvNamesEachProjectsPathsAroundTheServiceAndWhatNoColumnShows() throws Exception {
        Path config = config("sources:\n" + source("redcap", current));

        Cli.Result r = run(current, "report", "coverage", "--config", config.toString(), "--format", "csv");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(r.out()).contains("\r\n");
        assertThat(lines.get(0)).isEqualTo("scope,project_id,name,value");
        assertThat(lines)
                .contains(
                        "everywhere,,background pulls with stored EHR tokens,bypass the service in every project"
                                + " with EHR data pull; no REDCap column shows them",
                        "everywhere,,data preview,bypasses the service in every project with EHR data pull; no"
                                + " REDCap column shows it",
                        "system,,fhir_cdp_allow_auto_adjudication,1",
                        "system,,fhir_break_the_glass_enabled,1",
                        // Safe in a spreadsheet: text, not a formula.
                        "system,,fhir_data_mart_create_project,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"0\"\")\"",
                        "system,,fhir_user_rights_super_users_only,unknown: no such row",
                        "project,42,status,production",
                        "project,42,data_pull,CDP (FHIR)",
                        "project,42,fhir_cdp_auto_adjudication_enabled,on",
                        "project,42,fhir_cdp_auto_adjudication_cronjob_enabled,on",
                        "project,42,datamart_enabled,off",
                        "project,42,datamart_cron_enabled,off",
                        "project,42,break_the_glass_enabled,off",
                        "project,42,around_the_service,CDP auto-adjudication; CDP auto-adjudication cron",
                        "project,43,data_pull,DDP Custom",
                        "project,43,around_the_service,none",
                        "project,50,status,production",
                        "project,50,data_pull,off",
                        "project,50,around_the_service,Clinical Data Mart; Clinical Data Mart cron",
                        "project,51,status,analysis",
                        "project,51,around_the_service,Epic Break-the-Glass");
        assertThat(lines.stream()
                        .filter(l -> l.startsWith("project,"))
                        .map(l -> l.split(",", -1)[1])
                        .distinct())
                .as("deleted 45 and 44, 52 (no EHR path) are left out")
                .containsExactly("42", "43", "50", "51");
        assertThat(lines.stream().filter(l -> l.startsWith("project,42,"))).hasSize(8);
        assertThat(r.out()).doesNotContain("project_contact_email");
    }

    @Test
    void anOlderRedcapWithoutTheColumnsIsReportedAsUnknownNotAFailure() throws Exception {
        Path config = config("sources:\n" + source("redcap", older));

        Cli.Result r = run(older, "report", "coverage", "--config", config.toString(), "--format", "csv");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().lines())
                .contains(
                        "system,,fhir_cdp_allow_auto_adjudication,unknown: no redcap_config table",
                        "project,42,data_pull,CDP (FHIR)",
                        "project,42,fhir_cdp_auto_adjudication_enabled,unknown: column absent",
                        "project,42,break_the_glass_enabled,unknown: column absent",
                        "project,42,around_the_service,none",
                        "project,43,data_pull,DDP Custom")
                .noneMatch(l -> l.startsWith("project,44,") || l.startsWith("project,45,"));
    }

    @Test
    void theHtmlPageRendersWithTheSummaryAndTheStatementAboutWhatNoColumnShows() throws Exception {
        Path config = config("sources:\n" + source("redcap", current));
        Path html = dir.resolve("coverage.html");

        Cli.Result r = run(
                current,
                "report",
                "coverage",
                "--config",
                config.toString(),
                "--format",
                "html",
                "--output",
                html.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("wrote 1 page to ");
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page).doesNotContain(current.config().password().reveal()).doesNotContain("<script");

        Path screenshot = Path.of("target", "screenshots", "coverage.png");
        HeadlessChromium.Rendered shown = HeadlessChromium.render(html, screenshot);
        assertThat(shown.title()).isEqualTo("Coverage report: what reaches REDCap without cdp-access");
        assertThat(shown.outsideRequests()).isEmpty();
        assertThat(shown.consoleErrors()).isEmpty();
        assertThat(shown.tableCount()).isEqualTo(2);
        assertThat(shown.text())
                .contains(
                        "Projects with a path around the service\n3",
                        "Projects with EHR data pull enabled\n3",
                        "Other projects (not deleted)\n2",
                        "REDCap columns absent\nnone",
                        "Data preview and background pulls with stored EHR tokens bypass it in every project",
                        "CDP auto-adjudication; CDP auto-adjudication cron",
                        "=HYPERLINK(\"http://evil.example/\",\"0\")",
                        "unknown: no such row");
        assertThat(screenshot).isNotEmptyFile();
    }

    @Test
    @SuppressWarnings("try") // the outage only has to be held while the report runs
    void withoutARedcapdbSourceOrWithItsDatabaseDownTheCommandSaysSoInOneLine() throws Exception {
        Cli.Result none =
                run(current, "report", "coverage", "--config", config("").toString(), "--format", "csv");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err())
                .isEqualTo("cdp-access: report coverage reads REDCap's database: configure a source of type"
                        + " redcapdb (see the README's \"redcapdb\" source)\n");
        assertThat(none.out()).isEmpty();

        Path two = config("sources:\n" + source("redcap", current) + source("old", older));
        Cli.Result ambiguous = run(current, "report", "coverage", "--config", two.toString(), "--format", "csv");
        assertThat(ambiguous.exitCode()).isEqualTo(2);
        assertThat(ambiguous.err())
                .isEqualTo("cdp-access: several redcapdb sources are configured; name one with --source"
                        + " (redcap, old)\n");
        Cli.Result unknown =
                run(current, "report", "coverage", "--config", two.toString(), "--format", "csv", "--source", "ldap");
        assertThat(unknown.err())
                .isEqualTo("cdp-access: --source ldap is not a redcapdb source; configured: redcap, old\n");
        Cli.Result named =
                run(older, "report", "coverage", "--config", two.toString(), "--format", "csv", "--source", "old");
        assertThat(named.exitCode()).as(named.toString()).isZero();
        assertThat(named.out()).contains("unknown: column absent");

        Cli.Result badFormat = run(
                current,
                "report",
                "coverage",
                "--config",
                config("sources:\n" + source("redcap", current)).toString(),
                "--format",
                "pdf");
        assertThat(badFormat.err()).isEqualTo("cdp-access: unknown format 'pdf'; use csv or html\n");

        TestDatabase empty = TestDatabases.create(TestDatabases.Kind.MARIADB);
        Cli.Result notRedcap = run(
                empty,
                "report",
                "coverage",
                "--config",
                config("sources:\n" + source("redcap", empty)).toString(),
                "--format",
                "csv");
        assertThat(notRedcap.exitCode()).isEqualTo(2);
        assertThat(notRedcap.err())
                .startsWith("cdp-access: source 'redcap' (jdbc:mariadb://")
                .endsWith("): REDCap's database has no redcap_projects table; is url the REDCap database?\n");

        TestDatabase.Outage outage = current.cutOff();
        try {
            Cli.Result down = run(
                    current,
                    "report",
                    "coverage",
                    "--config",
                    config("sources:\n" + source("redcap", current)).toString(),
                    "--format",
                    "csv");
            assertThat(down.exitCode()).isEqualTo(2);
            assertThat(down.err().lines()).hasSize(1);
            assertThat(down.err())
                    .startsWith("cdp-access: source 'redcap' (jdbc:mariadb://")
                    .contains("cannot read REDCap's database")
                    .doesNotContain(current.config().password().reveal());
            assertThat(down.out()).isEmpty();
        } finally {
            outage.close();
        }
    }
}
