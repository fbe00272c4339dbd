package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code web} entries of {@code sources:}: every key, the defaults, and what is refused, with file and line. */
class WebSectionTest {

    static final String TOKEN = "irb-token-0123456789abcdef0123456789";
    static final String PASSWORD = "train-pass-0123456789abcdef01234567";

    private static final Map<String, String> ENV = Map.of("IRB_TOKEN", TOKEN, "TRAINING_PASSWORD", PASSWORD);

    /** The line of the first entry's {@code - name:} in a file written by {@link #write}. */
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
        List<String> problems = ConfigFiles.problems(file, ENV);
        assertThat(problems).allSatisfy(p -> assertThat(p).doesNotContain(TOKEN).doesNotContain(PASSWORD));
        return problems;
    }

    private static String at(int line) {
        return "/cdp-access.yaml:" + line + ": ";
    }

    @Test
    void readsEveryKey() throws Exception {
        Files.writeString(dir.resolve("irb-ca.pem"), "not read until the source opens");
        ServiceConfig c = load(write("""
                  - name: irb
                    type: web
                    timeout: 1500ms
                    url: https://irb.example.edu/api/protocols/{irb_number}/personnel/{user}?instance={instance}
                    method: POST
                    body: '{"user": "{redcap_user}", "project": "{project_id}"}'
                    headers: {X-Api-Key: '${IRB_TOKEN}', Accept-Language: en}
                    auth: {bearer: '${IRB_TOKEN}'}
                    trust_store: irb-ca.pem
                    trust_store_password: ''
                    facts:
                      approved: {pointer: /data/approved, type: bool}
                      status: {pointer: /data/status, type: string}
                      expires_on: {pointer: /data/expires_on, type: date}
                      roles: {pointer: /data/roles, type: list}
                    found: /data/on_protocol
                    max_response_bytes: 65536
                    zone: America/Chicago
                    irb_number: redcap.project_irb_number
                  - name: redcap
                    type: redcapdb
                    url: jdbc:mariadb://db/redcap
                    user: r
                """));
        SourceConfig source = c.sources().get(0);
        assertThat(source.type()).isEqualTo("web");
        assertThat(source.dependencies()).containsExactly("redcap");
        WebSettings s = (WebSettings) source.settings();
        assertThat(s.url().parts())
                .containsExactly(
                        new WebUrl.Literal("https://irb.example.edu/api/protocols/"),
                        new WebUrl.Placeholder("irb_number", false),
                        new WebUrl.Literal("/personnel/"),
                        new WebUrl.Placeholder("user", false),
                        new WebUrl.Literal("?instance="),
                        new WebUrl.Placeholder("instance", true));
        assertThat(s.method()).isEqualTo(WebSettings.Method.POST);
        assertThat(s.body()).contains("{\"user\": \"{redcap_user}\", \"project\": \"{project_id}\"}");
        assertThat(s.uses("project_id")).isTrue();
        assertThat(s.uses("redcap_user")).isTrue();
        assertThat(s.headers())
                .containsExactly(
                        Map.entry("X-Api-Key", Secret.of(TOKEN)), Map.entry("Accept-Language", Secret.of("en")));
        assertThat(s.auth()).isEqualTo(new WebSettings.Bearer(Secret.of(TOKEN)));
        assertThat(s.trustStore()).contains(dir.resolve("irb-ca.pem"));
        assertThat(s.facts())
                .containsExactly(
                        new FactField("approved", "/data/approved", FactField.Type.BOOL),
                        new FactField("status", "/data/status", FactField.Type.STRING),
                        new FactField("expires_on", "/data/expires_on", FactField.Type.DATE),
                        new FactField("roles", "/data/roles", FactField.Type.LIST));
        assertThat(s.foundPointer()).contains("/data/on_protocol");
        assertThat(s.maxResponseBytes()).isEqualTo(65536);
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/Chicago"));
        assertThat(s.toString()).doesNotContain(TOKEN);
    }

    @Test
    void theDefaultsAreAGetWithoutCredentialsReadingOneMebibyteInTheServicesZone() throws Exception {
        ServiceConfig c = load(write("""
                  - name: training
                    type: web
                    url: http://127.0.0.1:8089/training/{user}
                    auth: {basic: {user: cdp, password: '${TRAINING_PASSWORD}'}}
                    facts:
                      completed_on: {pointer: /completed_on, type: date}
                """));
        WebSettings s = (WebSettings) c.sources().get(0).settings();
        assertThat(s.method()).isEqualTo(WebSettings.Method.GET);
        assertThat(s.body()).isEmpty();
        assertThat(s.headers()).isEmpty();
        assertThat(s.auth()).isEqualTo(new WebSettings.Basic("cdp", Secret.of(PASSWORD)));
        assertThat(s.trustStore()).isEmpty();
        assertThat(s.foundPointer()).isEmpty();
        assertThat(s.maxResponseBytes()).isEqualTo(1 << 20);
        assertThat(s.zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(s.uses("project_id")).isFalse();
        assertThat(c.sources().get(0).irbNumber()).isEqualTo(Optional.empty());
    }

    @Test
    void anUnknownPlaceholderABadMethodAndBothBearerAndBasicAreRefusedWithTheirLines() throws Exception {
        Path file = write("""
                  - name: irb
                    type: web
                    url: https://irb.example.edu/api/{username}
                    method: PUT
                    auth:
                      bearer: '${IRB_TOKEN}'
                      basic: {user: cdp, password: '${TRAINING_PASSWORD}'}
                    facts:
                      approved: {pointer: /approved, type: bool}
                """);
        assertThat(problems(file))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 2) + "sources[0].url: unknown placeholder {username}; expected one of "
                                + "{user}, {redcap_user}, {project_id}, {instance}, {irb_number}"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 3) + "sources[0].method: expected GET or POST"))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 5) + "sources[0].auth: give one of bearer and basic, not both"));
    }

    @Test
    void aPointerMustStartWithASlashAndEveryFactNeedsAType() throws Exception {
        Path file = write("""
                  - name: irb
                    type: web
                    url: https://irb.example.edu/api/{user}
                    facts:
                      approved: {pointer: data/approved, type: bool}
                      status: {pointer: /status}
                      level: {pointer: /level, type: float}
                      short: bool
                    found: on_protocol
                """);
        assertThat(problems(file))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 4) + "sources[0].facts.approved.pointer: a JSON Pointer starts with /"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 5) + "sources[0].facts.status.type: is required"))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 6) + "sources[0].facts.level.type: expected string, int, bool"))
                .anySatisfy(p ->
                        assertThat(p).contains(at(FIRST + 7) + "sources[0].facts.short: expected {pointer: ..., type:"))
                .anySatisfy(
                        p -> assertThat(p).contains(at(FIRST + 8) + "sources[0].found: a JSON Pointer starts with /"));
    }

    @Test
    void plainHttpIsOnlyForLoopbackAndPlaceholdersStayOutOfTheHost() throws Exception {
        Path file = write("""
                  - name: a
                    type: web
                    url: http://irb.example.edu/api/{user}
                  - name: b
                    type: web
                    url: https://{instance}.example.edu/api/{user}
                  - name: c
                    type: web
                    url: https://cdp:pw@irb.example.edu/api/{user}#top
                  - name: d
                    type: web
                    url: https://user:pw@irb.example.edu/api/{user}
                  - name: e
                    type: web
                    url: ftp://irb.example.edu/{user}
                """);
        assertThat(problems(file))
                .anySatisfy(p ->
                        assertThat(p).contains(at(FIRST + 2) + "sources[0].url: http:// is only for a loopback host"))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 5) + "sources[1].url: placeholders go in the path or the query"))
                .anySatisfy(
                        p -> assertThat(p).contains(at(FIRST + 8) + "sources[2].url: a lookup's URL has no fragment"))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 11) + "sources[3].url: credentials go in auth:, not in the URL"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 14) + "sources[4].url: expected https://"));
        for (String loopback :
                List.of("http://localhost:81/{user}", "http://127.0.0.2/{user}", "http://[::1]:80/{user}")) {
            ServiceConfig c = load(write("""
                      - name: a
                        type: web
                        url: %s
                    """.formatted(loopback)));
            assertThat(((WebSettings) c.sources().get(0).settings()).url().template())
                    .isEqualTo(loopback);
        }
    }

    @Test
    void aBodyIsJsonWithPlaceholdersInItsStringsAndOnlyForAPost() throws Exception {
        Path file = write("""
                  - name: a
                    type: web
                    url: https://irb.example.edu/api/check
                    method: POST
                    body: '{"user": {user}}'
                  - name: b
                    type: web
                    url: https://irb.example.edu/api/check
                    method: POST
                    body: '{"user": "{who}"}'
                  - name: c
                    type: web
                    url: https://irb.example.edu/api/{user}
                    body: '{"user": "{user}"}'
                  - name: d
                    type: web
                    url: https://irb.example.edu/api/check
                    method: post
                  - name: e
                    type: web
                    url: https://irb.example.edu/api/{user}
                    headers: {Authorization: 'Bearer ${IRB_TOKEN}', 'bad name': x}
                    auth: {bearer: '${EMPTY:-}'}
                """);
        assertThat(problems(file))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 4) + "sources[0].body: not JSON (placeholders go inside strings"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 9) + "sources[1].body: unknown placeholder {who}"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 13) + "sources[2].body: a GET sends no body"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 14) + "sources[3].body: a POST sends a JSON body"))
                .anySatisfy(p -> assertThat(p)
                        .contains(at(FIRST + 21) + "sources[4].headers.Authorization: is set by the service itself"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 21) + "sources[4].headers.bad name: not a header"))
                .anySatisfy(p -> assertThat(p).contains(at(FIRST + 22) + "sources[4].auth.bearer: is empty"));
    }
}
