package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.FactField.Type;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code roster} entries of {@code sources:}: every key, the defaults, and what is refused. */
class RosterSectionTest {

    @TempDir
    Path dir;

    private ServiceConfig load(String sources) throws Exception {
        return ConfigFiles.load(ConfigFiles.write(dir, ConfigFiles.SOURCES, sources), Map.of());
    }

    private List<String> problems(String sources) throws IOException {
        return ConfigFiles.problems(ConfigFiles.write(dir, ConfigFiles.SOURCES, sources), Map.of());
    }

    @Test
    void readsEveryKey() throws Exception {
        Files.createDirectories(dir.resolve("exports"));
        Files.writeString(dir.resolve("exports/training.txt"), "username\n");
        ServiceConfig c = load("""
                  - name: training
                    type: roster
                    file: exports/training.txt
                    key: Network ID
                    columns:
                      course: string
                      expires_on: {column: "Expires On", type: date}
                      roles: list
                    delimiter: tab
                    encoding: windows-1252
                    list_separator: "|"
                    zone: America/Chicago
                    max_rows: 5000
                    reload_every: 5s
                """);
        RosterSettings s = (RosterSettings) c.sources().get(0).settings();
        assertThat(s.file()).isEqualTo(dir.resolve("exports/training.txt"));
        assertThat(s.key()).isEqualTo("Network ID");
        assertThat(s.columns())
                .containsExactly(
                        new FactField("course", "course", Type.STRING),
                        new FactField("expires_on", "Expires On", Type.DATE),
                        new FactField("roles", "roles", Type.LIST));
        assertThat(s.delimiter()).isEqualTo('\t');
        assertThat(s.encoding()).isEqualTo(Charset.forName("windows-1252"));
        assertThat(s.listSeparator()).isEqualTo("|");
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/Chicago"));
        assertThat(s.maxRows()).isEqualTo(5000);
        assertThat(s.reloadEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigWarnings.of(c)).noneMatch(w -> w.contains("training"));
    }

    @Test
    void defaultsAndAFileThatIsNotThereYetWhichIsWarnedAbout() throws Exception {
        ServiceConfig c = load("""
                  - name: ehr
                    type: roster
                    file: ehr-users.tsv
                    key: username
                    columns: {active: bool}
                """);
        RosterSettings s = (RosterSettings) c.sources().get(0).settings();
        assertThat(s.delimiter()).as("a .tsv file is tab-separated").isEqualTo('\t');
        assertThat(s.encoding()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(s.listSeparator()).isEqualTo(";");
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(s.maxRows()).isEqualTo(2_000_000);
        assertThat(s.reloadEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ConfigWarnings.of(c))
                .anySatisfy(w -> assertThat(w).startsWith("sources.ehr.file: ").contains("does not exist (yet)"));
    }

    @Test
    void refusesWhatCannotWork() throws Exception {
        assertThat(problems("""
                  - name: a
                    type: roster
                    file: nowhere/x.csv
                    columns: {active: boolean, when: {column: When, type: datetime}, Bad: int}
                    delimiter: ":"
                    encoding: utf-16
                    max_rows: 0
                    reload_every: 10ms
                  - name: b
                    type: roster
                    file: b.csv
                    key: username
                    columns: {}
                  - name: c
                    type: roster
                    file: c.csv
                    key: username
                    columns: {x: list}
                    list_separator: ","
                  - name: d
                    type: roster
                    file: d.csv
                    key: username
                """))
                .anySatisfy(p -> assertThat(p).contains("sources[0].file: no such directory"))
                .anySatisfy(p -> assertThat(p).contains("sources[0]").contains("key"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].columns.when.type: expected string, int"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].columns.Bad: rules read it as a field"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].delimiter: expected ',', ';', '|' or tab"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].encoding: expected UTF-8, ISO-8859-1"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].max_rows"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].reload_every"))
                .anySatisfy(p -> assertThat(p).contains("sources[1].columns: declare at least one column"))
                .anySatisfy(p -> assertThat(p).contains("sources[2].list_separator: is the delimiter too"))
                .anySatisfy(p -> assertThat(p).contains("sources[3]: missing columns"));
    }
}
