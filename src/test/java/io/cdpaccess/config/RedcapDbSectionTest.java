package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code redcapdb} entries of {@code sources:}: every key, the defaults, and what is refused. */
class RedcapDbSectionTest {

    private static final Map<String, String> ENV = Map.of("REDCAP_DB_PASSWORD", "db-pass");

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
                  - name: redcap
                    type: redcapdb
                    timeout: 750ms
                    url: jdbc:mysql://redcap-db.example.edu:3306/redcap?useSSL=true
                    user: cdp_reader
                    password: ${REDCAP_DB_PASSWORD}
                    pool_size: 6
                    zone: America/Chicago
                    ehr_id: 2
                """));
        SourceConfig source = c.sources().get(0);
        assertThat(source.name()).isEqualTo("redcap");
        assertThat(source.type()).isEqualTo("redcapdb");
        assertThat(source.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(source.settings())
                .isEqualTo(new RedcapDbSettings(
                        "jdbc:mysql://redcap-db.example.edu:3306/redcap?useSSL=true",
                        "cdp_reader",
                        Secret.of("db-pass"),
                        6,
                        ZoneId.of("America/Chicago"),
                        Optional.of(2L)));
        assertThat(source.settings().toString()).doesNotContain("db-pass");
    }

    @Test
    void theZoneDefaultsToTheServicesAndEveryEhrIsListed() throws Exception {
        ServiceConfig c = load(write("""
                  - name: redcap
                    type: redcapdb
                    url: jdbc:mariadb://127.0.0.1/redcap
                    user: cdp_reader
                """));
        RedcapDbSettings s = (RedcapDbSettings) c.sources().get(0).settings();
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(s.ehrId()).isEmpty();
        assertThat(s.poolSize()).isEqualTo(4);
        assertThat(s.password().isEmpty()).isTrue();
    }

    @Test
    void refusesWhatCannotWork() throws Exception {
        Path file = write("""
                  - name: redcap
                    type: redcapdb
                    url: jdbc:postgresql://db/redcap
                    zone: Mars/Olympus
                    pool_size: 0
                    ehr_id: -1
                    bind_dn: cn=x
                  - name: other
                    type: redcapdb
                    url: jdbc:mariadb://db.example.edu:3306/
                    user: r
                """);
        assertThat(problems(file))
                .anySatisfy(p -> assertThat(p).contains("sources[0].url: expected jdbc:mariadb://host:3306/redcap"))
                .anySatisfy(p -> assertThat(p).contains("sources[0]").contains("user"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].zone: unknown time zone"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].pool_size"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].ehr_id"))
                .anySatisfy(p -> assertThat(p).contains("sources[0].bind_dn: is not a setting of a redcapdb source"))
                .anySatisfy(p -> assertThat(p)
                        .contains("sources[1].url: name REDCap's database after the host, as in "
                                + "jdbc:mariadb://host:3306/redcap"));
    }

    @Test
    void readsWhatEverySourceShares() throws Exception {
        ServiceConfig c = load(write("""
                  - name: redcap
                    type: RedcapDB
                    url: jdbc:mariadb://db/redcap
                    user: r
                    max_concurrent: 8
                    cache: {found: 10m, not_found: 30s, stale_if_error: 1h, max_entries: 500}
                  - name: epic
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    identity:
                      via: redcap.ehr_usernames
                      strip_domain: true
                      replace: '(.*)@old\\.edu'
                      with: '$1'
                      add_domain: '@example.edu'
                """));
        SourceConfig redcap = c.sources().get(0);
        assertThat(redcap.type()).isEqualTo("redcapdb");
        assertThat(redcap.maxConcurrent()).isEqualTo(8);
        assertThat(redcap.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(redcap.identity()).isEqualTo(IdentityMapping.NONE);
        assertThat(redcap.cache())
                .isEqualTo(new SourceConfig.SourceCache(
                        Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(1), 500));
        IdentityMapping identity = c.sources().get(1).identity();
        assertThat(identity.via()).contains("redcap.ehr_usernames");
        assertThat(identity.viaSource()).contains("redcap");
        assertThat(identity.viaFact()).contains("ehr_usernames");
        assertThat(identity.stripDomain()).isTrue();
        assertThat(identity.replace()).contains(new IdentityMapping.Replace("(.*)@old\\.edu", "$1"));
        assertThat(identity.replace()
                        .orElseThrow()
                        .compiled()
                        .matcher("jdoe@old.edu")
                        .replaceAll("$1"))
                .isEqualTo("jdoe");
        assertThat(identity.addDomain()).contains("example.edu");
        assertThat(c.sources().get(1).cache()).isEqualTo(SourceConfig.SourceCache.DEFAULT);
    }

    @Test
    void refusesBadNamesTypesAndIdentities() throws Exception {
        Path file = write("""
                  - name: Redcap
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                  - name: store
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                  - name: soap
                    type: soap
                  - name: a
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    identity: {replace: '(.*)'}
                  - name: a
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    identity: {via: nodot, replace: '(', with: x, add_domain: 'not a domain'}
                    cache: {found: 8d}
                """);
        assertThat(problems(file))
                .anySatisfy(p -> assertThat(p).contains("sources[0].name: use 1-32 lower-case letters"))
                .anySatisfy(p -> assertThat(p).contains("sources[1].name: 'store' is a variable of the service"))
                .anySatisfy(p -> assertThat(p).contains("sources[2].type: unknown source type 'soap'"))
                .anySatisfy(p -> assertThat(p).contains("sources[3].identity: replace and with go together"))
                .anySatisfy(p -> assertThat(p).contains("sources[4].name: source name 'a' is used twice"))
                .anySatisfy(p -> assertThat(p).contains("sources[4].identity.via: expected source.fact"))
                .anySatisfy(p -> assertThat(p).contains("sources[4].identity.replace: not a regular expression"))
                .anySatisfy(p -> assertThat(p).contains("sources[4].identity.add_domain: expected a domain"))
                .anySatisfy(p -> assertThat(p).contains("sources[4].cache.found"));
    }

    @Test
    void aKeyFromAnotherSourceNeedsThatSourceAndNoCycle() throws Exception {
        String entry = """
                  - name: %s
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    identity: {via: %s.ehr_usernames}
                """;
        Path missing = write(entry.formatted("epic", "nowhere"));
        assertThat(problems(missing))
                .singleElement()
                .asString()
                .contains("sources.epic.identity.via: no source is named 'nowhere'; configured: epic");
        Path cycle = write(entry.formatted("a", "b") + entry.formatted("b", "c") + entry.formatted("c", "a"));
        assertThat(problems(cycle))
                .anySatisfy(p -> assertThat(p)
                        .contains("sources.a.identity.via: the sources' keys depend on each other in a cycle: "
                                + "a <- b <- c <- a"));
        Path self = write(entry.formatted("a", "a"));
        assertThat(problems(self)).singleElement().asString().contains("in a cycle: a <- a");
    }

    @Test
    void aSourceMayBeAskedWithTheProjectsIrbNumberFromAnotherSourceButNotInACycle() throws Exception {
        String redcap = """
                  - name: redcap
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                """;
        ServiceConfig c = load(write(redcap + """
                  - name: irb
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    irb_number: redcap.project_irb_number
                """));
        SourceConfig irb = c.sources().get(1);
        assertThat(irb.irbNumber()).contains("redcap.project_irb_number");
        assertThat(irb.dependencies()).containsExactly("redcap");
        assertThat(c.sources().get(0).dependencies()).isEmpty();

        String entry = """
                  - name: %s
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    irb_number: %s
                """;
        assertThat(problems(write(entry.formatted("irb", "nowhere.project_irb_number"))))
                .singleElement()
                .asString()
                .contains("sources.irb.irb_number: no source is named 'nowhere'; configured: irb");
        assertThat(problems(write(entry.formatted("irb", "project_irb_number"))))
                .singleElement()
                .asString()
                .contains("sources[0].irb_number: expected source.fact, e.g. redcap.project_irb_number");
        String keyedVia = """
                  - name: b
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                    identity: {via: a.ehr_usernames}
                """;
        assertThat(problems(write(entry.formatted("a", "b.project_irb_number") + keyedVia)))
                .as("a cycle through both kinds of dependency")
                .anySatisfy(p -> assertThat(p)
                        .contains("sources.a.irb_number: the sources' keys depend on each other in a cycle: "
                                + "a <- b <- a"));
    }

    @Test
    void sourcesMustBeAList() throws Exception {
        Path file = dir.resolve("cdp-access.yaml");
        Files.writeString(file, ConfigFiles.SOURCES.replace("sources:\n", "sources: {name: redcap}\n"));
        assertThat(problems(file)).singleElement().asString().contains("sources: expected a list of sources");
    }
}
