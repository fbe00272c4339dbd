package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sql} entries of {@code sources:}: every key, the defaults, and what is refused with file and line. */
class SqlSectionTest {

    private static final Map<String, String> ENV = Map.of("CTMS_PASSWORD", "ctms-pass");

    /** The line of the first source entry in a written file. */
    private static final int FIRST = ConfigFiles.FIRST_SOURCE_LINE;

    @TempDir
    Path dir;

    private Path write(String sources) throws Exception {
        return ConfigFiles.write(dir, ConfigFiles.SOURCES, sources);
    }

    private static ServiceConfig load(Path file) throws ConfigException {
        return ConfigFiles.load(file, ENV);
    }

    private static List<String> problems(Path file) {
        return ConfigFiles.problems(file, ENV);
    }

    @Test
    void readsEveryKey() throws Exception {
        ServiceConfig c = load(write("""
                  - name: ctms
                    type: sql
                    url: jdbc:postgresql://ctms-db.example.edu:5432/ctms?ssl=true
                    user: cdp_reader
                    password: ${CTMS_PASSWORD}
                    pool_size: 3
                    zone: America/Chicago
                    drivers: lib/jdbc
                    query: |
                      SELECT role, active, end_date, protocol_number
                        FROM study_staff
                       WHERE username = :user AND site = :instance -- not :here
                    columns:
                      role: string
                      active: bool
                      ends: {column: end_date, type: date}
                      protocols: {column: protocol_number, type: list}
                """));
        SourceConfig source = c.sources().get(0);
        assertThat(source.type()).isEqualTo("sql");
        SqlSettings s = (SqlSettings) source.settings();
        assertThat(s.url()).isEqualTo("jdbc:postgresql://ctms-db.example.edu:5432/ctms?ssl=true");
        assertThat(s.user()).isEqualTo("cdp_reader");
        assertThat(s.password()).isEqualTo(Secret.of("ctms-pass"));
        assertThat(s.poolSize()).isEqualTo(3);
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/Chicago"));
        assertThat(s.drivers()).isEqualTo(dir.resolve("lib/jdbc"));
        assertThat(s.query().parameters()).containsExactly(SqlQuery.Parameter.USER, SqlQuery.Parameter.INSTANCE);
        assertThat(s.query().jdbc()).contains("WHERE username = ? AND site = ? -- not :here");
        assertThat(s.columns())
                .containsExactly(
                        new FactField("role", "role", FactField.Type.STRING),
                        new FactField("active", "active", FactField.Type.BOOL),
                        new FactField("ends", "end_date", FactField.Type.DATE),
                        new FactField("protocols", "protocol_number", FactField.Type.LIST));
        assertThat(s.toString()).doesNotContain("ctms-pass");
    }

    @Test
    void theDefaults() throws Exception {
        ServiceConfig c = load(write("""
                  - name: leavers
                    type: sql
                    url: jdbc:sqlserver://hr.example.edu:1433;databaseName=hr
                    query: SELECT 1 AS gone FROM leavers WHERE login = :user
                """));
        SqlSettings s = (SqlSettings) c.sources().get(0).settings();
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(s.poolSize()).isEqualTo(4);
        assertThat(s.user()).isEmpty();
        assertThat(s.password().isEmpty()).isTrue();
        assertThat(s.drivers()).as("beside the configuration").isEqualTo(dir.resolve("drivers"));
        assertThat(s.columns()).isEmpty();
    }

    @Test
    void aQueryIsRequired() throws Exception {
        assertThat(problems(write("""
                  - name: ctms
                    type: sql
                    url: jdbc:postgresql://db/ctms
                """)))
                .singleElement()
                .asString()
                .isEqualTo(dir.resolve("cdp-access.yaml") + ":" + FIRST + ": sources[0].query: is required");
    }

    @Test
    void anUnknownParameterIsNamedWithItsLine() throws Exception {
        assertThat(problems(write("""
                  - name: ctms
                    type: sql
                    url: jdbc:postgresql://db/ctms
                    query: |
                      SELECT role::text, ':pid in a string' AS note, "a:b" FROM staff
                       WHERE username = :user /* :pid */ AND project = :pid
                """)))
                .singleElement()
                .asString()
                .isEqualTo(dir.resolve("cdp-access.yaml") + ":" + (FIRST + 3)
                        + ": sources[0].query: unknown parameter :pid at line 2"
                        + " of the query; expected :user, :project_id, :instance or :irb_number");
    }

    @Test
    void irbNumberNeedsTheSourcesIrbNumberSetting() throws Exception {
        String redcap = """
                  - name: redcap
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                """;
        String ctms = """
                  - name: ctms
                    type: sql
                    url: jdbc:postgresql://db/ctms
                    query: SELECT 1 AS on_study FROM staff WHERE username = :user AND protocol = :irb_number
                """;
        assertThat(problems(write(redcap + ctms)))
                .singleElement()
                .asString()
                .startsWith(dir.resolve("cdp-access.yaml") + ":" + (FIRST + 7)
                        + ": sources[1].query: :irb_number needs the source's" + " irb_number setting");
        ServiceConfig c = load(write(redcap + ctms + "    irb_number: redcap.project_irb_number\n"));
        assertThat(c.sources().get(1).irbNumber()).contains("redcap.project_irb_number");
    }

    @Test
    void refusesBadColumnsUrlsAndQueries() throws Exception {
        assertThat(problems(write("""
                  - name: ctms
                    type: sql
                    url: postgresql://db/ctms
                    query: SELECT 1 FROM staff WHERE username = :user
                    columns:
                      role: text
                      Bad: string
                      found: bool
                  - name: other
                    type: sql
                    url: jdbc:mariadb://db/hr
                    query: SELECT 1 FROM t WHERE a = ? AND b = :user
                  - name: third
                    type: sql
                    url: jdbc:mariadb://db/hr
                    query: SELECT 'it\\'s :user' FROM t
                  - name: fourth
                    type: sql
                    url: jdbc:postgresql://db/hr
                    query: "SELECT 1 FROM t WHERE a = 'open"
                """)))
                .anySatisfy(p -> assertThat(p)
                        .startsWith(dir.resolve("cdp-access.yaml") + ":" + (FIRST + 2)
                                + ": sources[0].url: expected a JDBC URL such as"))
                .anySatisfy(p -> assertThat(p)
                        .isEqualTo(dir.resolve("cdp-access.yaml") + ":" + (FIRST + 5)
                                + ": sources[0].columns.role: expected string,"
                                + " int, bool, date, timestamp or list"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].columns.Bad: rules read it as a field"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].columns.found: found is every source's own fact"))
                .anySatisfy(p -> assertThat(p).contains("sources[1].query: a ? at line 1 of the query"))
                .anySatisfy(p -> assertThat(p)
                        .as("MariaDB's backslash escape keeps :user inside the string")
                        .contains("sources[2].query: never reads :user"))
                .anySatisfy(p -> assertThat(p)
                        .contains("sources[3].query: the ' opened at line 1 of the query is" + " never closed"))
                .hasSize(7);
    }
}
