package io.cdpaccess.source.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.SelfSignedCertificate;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web source against real HTTP and HTTPS endpoints on 127.0.0.1, configured as an
 * administrator writes it (YAML, credentials from the environment): found, not found, every fact
 * type, escaping, GET and POST, bearer and Basic, trust stores, and every way an endpoint can
 * fail — each a failure, none an answer.
 */
class WebSourceTest {

    static final String TOKEN = "irb-token-0123456789abcdef0123456789";
    static final String PASSWORD = "train-pass-0123456789abcdef01234567";
    static final Map<String, String> ENV = Map.of("IRB_TOKEN", TOKEN, "TRAINING_PASSWORD", PASSWORD);
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");
    static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

    @TempDir
    Path dir;

    final TestEndpoint endpoint = TestEndpoint.http();

    @AfterEach
    void stop() {
        endpoint.close();
    }

    /** A source from its {@code sources:} entry's own lines (after name and type), loaded as the service loads it. */
    SourceConfig source(String settings) throws Exception {
        Path file = dir.resolve("cdp-access.yaml");
        Files.writeString(file, """
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789abcdef
                sources:
                  - name: irb
                    type: web
                """ + settings.indent(4));
        return new ConfigLoader(ENV).load(file).sources().get(0);
    }

    static SourceClient open(SourceConfig source) throws SourceException {
        return new WebSource().open(source, Clock.systemUTC());
    }

    static SourceKey key(String user) {
        return new SourceKey(user, user, 42, "prod", Optional.of("IRB-2026-001"), NOW);
    }

    static SourceAnswer lookup(SourceConfig source, String user) throws SourceException {
        try (SourceClient client = open(source)) {
            return client.lookup(key(user));
        }
    }

    static String failure(SourceConfig source, String user) {
        SourceException e = catchThrowableOfType(SourceException.class, () -> lookup(source, user));
        assertThat(e).as("expected the lookup to fail").isNotNull();
        assertThat(e.getMessage())
                .doesNotContain("\n")
                .doesNotContain(TOKEN)
                .doesNotContain(PASSWORD)
                .hasSizeLessThan(300);
        return e.getMessage();
    }

    String everyType() {
        return """
                url: %s
                facts:
                  approved: {pointer: /data/approved, type: bool}
                  status: {pointer: /data/status, type: string}
                  level: {pointer: /data/level, type: int}
                  expires_on: {pointer: /data/expires_on, type: date}
                  checked_at: {pointer: /data/checked_at, type: timestamp}
                  roles: {pointer: /data/roles, type: list}
                  level_text: {pointer: /text/level, type: int}
                  approved_text: {pointer: /text/approved, type: bool}
                  roles_text: {pointer: /text/roles, type: list}
                  number_as_string: {pointer: /data/level, type: string}
                  local_time: {pointer: /text/local, type: timestamp}
                  absent: {pointer: /data/nothing, type: string}
                  nulled: {pointer: /data/nulled, type: int}
                  odd: {pointer: /odd/a~1b, type: string}
                """.formatted(endpoint.url("/api/personnel/{user}"));
    }

    @Test
    void aFoundUsersFactsAreReadAtTheirPointersWithTheirTypes() throws Exception {
        endpoint.answer(TestEndpoint.json(200, """
                {"data": {"approved": true, "status": "active", "level": 3, "expires_on": "2027-06-30",
                          "checked_at": "2026-11-30T09:15:00Z", "roles": ["pi", "", 7, null], "nulled": null},
                 "text": {"level": " 12 ", "approved": "yes", "roles": "pi, coordinator", "local": "2026-11-30 08:00:00"},
                 "odd": {"a/b": "slash"}}
                """));
        SourceAnswer a = lookup(source(everyType()), "alice");
        assertThat(a.found()).isTrue();
        assertThat(a.facts())
                .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                        Map.entry("found", true),
                        Map.entry("approved", true),
                        Map.entry("status", "active"),
                        Map.entry("level", 3L),
                        Map.entry("expires_on", FactFields.endOfDay(LocalDate.of(2027, 6, 30), CHICAGO)),
                        Map.entry("checked_at", Instant.parse("2026-11-30T09:15:00Z")),
                        Map.entry("roles", List.of("pi", "7")),
                        Map.entry("level_text", 12L),
                        Map.entry("approved_text", true),
                        Map.entry("roles_text", List.of("pi", "coordinator")),
                        Map.entry("number_as_string", "3"),
                        Map.entry("local_time", Instant.parse("2026-11-30T14:00:00Z")),
                        Map.entry("odd", "slash")));
        assertThat(a.changesAt())
                .as("a cached answer does not outlive the date it gives")
                .contains(FactFields.endOfDay(LocalDate.of(2027, 6, 30), CHICAGO));
        assertThat(endpoint.last().method()).isEqualTo("GET");
        assertThat(endpoint.last().header("Accept")).isEqualTo("application/json");
        assertThat(new WebSource().facts(source(everyType())).fields()).containsKeys("found", "approved", "expires_on");
    }

    @Test
    void a404IsNotFoundAndAFoundPointerSaysWhetherTheUserIsKnown() throws Exception {
        endpoint.answer(TestEndpoint.json(404, "{\"error\": \"no such person\"}"));
        SourceAnswer missing = lookup(source(everyType()), "nobody");
        assertThat(missing.found()).isFalse();
        assertThat(missing.facts()).containsExactly(Map.entry("found", false));
        assertThat(new WebSource().unknownKey()).isEqualTo(missing);

        String withFound = "url: %s\nfound: /on_protocol\nfacts:\n  approved: {pointer: /approved, type: bool}\n"
                .formatted(endpoint.url("/api/{user}"));
        endpoint.answer(TestEndpoint.json(200, "{\"on_protocol\": false, \"approved\": true}"));
        assertThat(lookup(source(withFound), "bob"))
                .isEqualTo(new SourceAnswer(false, Map.of("found", false), Optional.empty()));
        endpoint.answer(TestEndpoint.json(200, "{\"on_protocol\": \"true\", \"approved\": true}"));
        assertThat(lookup(source(withFound), "bob").found()).isTrue();
        endpoint.answer(TestEndpoint.json(200, "{\"approved\": true}"));
        assertThat(failure(source(withFound), "bob")).contains("/on_protocol");
    }

    @Test
    void aValueOfTheWrongTypeIsAFailureNamingThePointerAndTheTypeExpected() throws Exception {
        endpoint.answer(TestEndpoint.json(200, "{\"data\": {\"approved\": [true]}}"));
        assertThat(failure(source(everyType()), "alice"))
                .isEqualTo("/data/approved is an array, expected true or false (bool)");
        endpoint.answer(TestEndpoint.json(200, "{\"data\": {\"approved\": \"maybe\"}}"));
        assertThat(failure(source(everyType()), "alice")).startsWith("/data/approved: expected true/false");
        endpoint.answer(TestEndpoint.json(200, "{\"data\": {\"level\": 2.5}}"));
        assertThat(failure(source(everyType()), "alice")).contains("/data/level is a number, expected a whole number");
        endpoint.answer(TestEndpoint.json(200, "{\"data\": {\"expires_on\": 20270630}}"));
        assertThat(failure(source(everyType()), "alice")).contains("/data/expires_on is a number, expected a date");
        endpoint.answer(TestEndpoint.json(200, "{\"data\": {\"roles\": [{\"name\": \"pi\"}]}}"));
        assertThat(failure(source(everyType()), "alice")).contains("/data/roles holds an object");
    }

    @Test
    void aUsernameReachesTheEndpointAsOnePathSegmentAndOneQueryValue() throws Exception {
        endpoint.answer(TestEndpoint.json(200, "{}"));
        SourceConfig source = source("url: %s\n"
                .formatted(endpoint.url(
                        "/api/protocols/{irb_number}/personnel/{user}?who={redcap_user}&p={project_id}&i={instance}")));
        String user = "a/../b?c#d&e=f%20g h+ü";
        try (SourceClient client = open(source)) {
            client.lookup(new SourceKey(user, "x&y=z#w", 42, "prod", Optional.of("IRB/2026?01"), NOW));
        }
        TestEndpoint.Received r = endpoint.last();
        String[] segments = r.rawPath().split("/", -1);
        assertThat(segments).hasSize(6);
        assertThat(segments[3]).isEqualTo("IRB%2F2026%3F01");
        assertThat(URLDecoder.decode(segments[5].replace("+", "%2B"), StandardCharsets.UTF_8))
                .isEqualTo(user);
        assertThat(r.rawQuery()).startsWith("who=x%26y%3Dz%23w&p=42&i=prod");
        for (String dots : List.of("..", ".", "")) {
            assertThat(failure(source, dots)).contains("cannot be asked").contains("path segment");
        }
        assertThat(endpoint.received())
                .as("a key that would move up the path is not sent")
                .hasSize(1);
    }

    @Test
    void aPostSendsTheBodyTemplateWithItsValuesEscapedAsJson() throws Exception {
        endpoint.answer(TestEndpoint.json(200, "{\"approved\": true}"));
        SourceConfig source = source("""
                url: %s
                method: POST
                body: '{"person": {"user": "{user}", "label": "{user} in {project_id}"}, "ids": ["{irb_number}"]}'
                facts:
                  approved: {pointer: /approved, type: bool}
                """.formatted(endpoint.url("/api/check")));
        String user = "q\"uote\\back\nline\u0001\",\"admin\":true";
        try (SourceClient client = open(source)) {
            assertThat(client.lookup(new SourceKey(user, user, 7, "prod", Optional.of("IRB-1"), NOW))
                            .facts())
                    .containsExactly(Map.entry("found", true), Map.entry("approved", true));
        }
        TestEndpoint.Received r = endpoint.last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.at("/person/user").textValue()).isEqualTo(user);
        assertThat(body.at("/person/label").textValue()).isEqualTo(user + " in 7");
        assertThat(body.at("/ids/0").textValue()).isEqualTo("IRB-1");
        assertThat(body.has("admin")).isFalse();
    }

    @Test
    void bearerAndBasicCredentialsFromTheEnvironmentReachTheEndpoint() throws Exception {
        endpoint.answer(TestEndpoint.json(200, "{}"));
        lookup(
                source("url: %s\nauth: {bearer: '${IRB_TOKEN}'}\nheaders: {X-Client: cdp-access}\n"
                        .formatted(endpoint.url("/a/{user}"))),
                "alice");
        assertThat(endpoint.last().header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(endpoint.last().header("X-Client")).isEqualTo("cdp-access");

        lookup(
                source("url: %s\nauth: {basic: {user: cdp, password: '${TRAINING_PASSWORD}'}}\n"
                        .formatted(endpoint.url("/a/{user}"))),
                "alice");
        assertThat(endpoint.last().header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString(("cdp:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));

        // An endpoint that echoes the credential in its refusal: the message blanks it out.
        endpoint.answer((exchange, request) ->
                TestEndpoint.send(exchange, 401, "text/plain", "bad " + request.header("Authorization")));
        String refused = failure(
                source("url: %s\nauth: {bearer: '${IRB_TOKEN}'}\n".formatted(endpoint.url("/a/{user}"))), "alice");
        assertThat(refused)
                .startsWith("HTTP 401 from http://127.0.0.1:")
                .contains("(check auth)")
                .contains("****");
    }

    @Test
    void httpsWorksWithTheEndpointsCaAsTrustStoreAndFailsWithoutIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("tls"), "EC");
        try (TestEndpoint tls = TestEndpoint.https(cert)) {
            tls.answer(TestEndpoint.json(200, "{\"approved\": true}"));
            String facts = "facts:\n  approved: {pointer: /approved, type: bool}\n";
            String url = "url: " + tls.url("/api/{user}").replace("127.0.0.1", "localhost") + "\n";
            assertThat(lookup(source(url + "trust_store: " + cert.certificatePem() + "\n" + facts), "alice")
                            .facts())
                    .containsEntry("approved", true);
            assertThat(lookup(
                                    source(url + "trust_store: " + cert.pkcs12() + "\ntrust_store_password: "
                                            + cert.password() + "\n" + facts),
                                    "alice")
                            .found())
                    .isTrue();
            assertThat(failure(source(url + facts), "alice"))
                    .contains("TLS with https://localhost:")
                    .contains("not trusted; give its CA as trust_store");
        }
    }

    @Test
    @Timeout(20)
    void anEndpointThatStallsFailsWithinTheTimeoutHeadersOrBody() throws Exception {
        SourceConfig source = source("url: %s\ntimeout: 500ms\n".formatted(endpoint.url("/a/{user}")));
        endpoint.answer((exchange, request) -> Thread.sleep(30_000));
        assertThat(timedFailure(source)).contains("within 500 ms");

        // Headers at once, then a body that trickles: the timeout is for the whole answer.
        endpoint.answer((exchange, request) -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write('[');
            for (int i = 0; i < 300; i++) {
                out.write("1,".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
            }
        });
        assertThat(timedFailure(source)).contains("within 500 ms");
    }

    private static String timedFailure(SourceConfig source) {
        long start = System.nanoTime();
        String message = failure(source, "alice");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as(message).isLessThan(Duration.ofMillis(500 + 700));
        return message;
    }

    @Test
    @Timeout(20)
    void garbageTruncatedAndEndlessBodiesAreFailures() throws Exception {
        SourceConfig source =
                source("url: %s\nmax_response_bytes: 4096\ntimeout: 3s\n".formatted(endpoint.url("/a/{user}")));
        endpoint.answer((exchange, request) ->
                TestEndpoint.send(exchange, 200, "text/html", "<html><body>Please log in " + "x".repeat(500)));
        assertThat(failure(source, "alice"))
                .startsWith("the answer (HTTP 200 from http://127.0.0.1:")
                .contains("is not JSON (text/html): '<html><body>Please log in xxx")
                .contains("…'");
        endpoint.answer(TestEndpoint.json(200, "{\"a\": 1} {\"b\": 2}"));
        assertThat(failure(source, "alice")).contains("is not JSON");
        endpoint.answer(TestEndpoint.json(200, "{\"a\": 1, \"a\": 2}"));
        assertThat(failure(source, "alice")).as("a duplicate name is ambiguous").contains("is not JSON");
        endpoint.answer(TestEndpoint.json(200, ""));
        assertThat(failure(source, "alice")).contains("empty");

        endpoint.answer((exchange, request) -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"data\": {\"appr".getBytes(StandardCharsets.US_ASCII));
            exchange.getResponseBody().flush();
            exchange.close(); // shorter than its Content-Length
        });
        assertThat(failure(source, "alice")).startsWith("asking http://127.0.0.1:");

        endpoint.answer((exchange, request) -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = "[1,2,3,4,5,6,7,8,9,".repeat(100).getBytes(StandardCharsets.US_ASCII);
            while (true) {
                exchange.getResponseBody().write(chunk); // fails once the client stops reading
            }
        });
        long start = System.nanoTime();
        assertThat(failure(source, "alice")).contains("too long").contains("max_response_bytes (4096)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anyOtherStatusARedirectAndARefusedConnectionAreFailures() throws Exception {
        SourceConfig source = source("url: %s\n".formatted(endpoint.url("/a/{user}")));
        endpoint.answer(TestEndpoint.json(500, "{\"error\": \"database down\"}"));
        assertThat(failure(source, "alice"))
                .isEqualTo("HTTP 500 from " + endpoint.url("") + ": '{\"error\": \"database down\"}'");
        endpoint.answer((exchange, request) -> {
            exchange.getResponseHeaders().add("Location", "https://login.example.edu/");
            exchange.sendResponseHeaders(302, -1);
        });
        assertThat(failure(source, "alice")).contains("HTTP 302").contains("redirects are not followed");
        assertThat(endpoint.received()).hasSize(2);
        endpoint.answer(TestEndpoint.json(403, ""));
        assertThat(failure(source, "alice")).isEqualTo("HTTP 403 from " + endpoint.url("") + " (check auth)");

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        assertThat(failure(source("url: http://127.0.0.1:%d/a/{user}\n".formatted(closed)), "alice"))
                .isEqualTo("could not connect to http://127.0.0.1:" + closed + " (connection refused)");
    }

    @Test
    void theCacheKeysOnWhatTheTemplatesAskWith() throws Exception {
        WebSource kind = new WebSource();
        SourceConfig plain = source("url: %s\n".formatted(endpoint.url("/a/{user}")));
        assertThat(kind.perProject(plain)).isFalse();
        assertThat(kind.perInstance(plain)).isFalse();
        assertThat(kind.perRedcapUser(plain)).isFalse();
        SourceConfig all =
                source("url: %s\n".formatted(endpoint.url("/a/{user}?p={project_id}&i={instance}&r={redcap_user}")));
        assertThat(kind.perProject(all)).isTrue();
        assertThat(kind.perInstance(all)).isTrue();
        assertThat(kind.perRedcapUser(all)).isTrue();
        SourceConfig irb = source(
                "url: %s\nmethod: POST\nbody: '{\"irb\": \"{irb_number}\"}'\n".formatted(endpoint.url("/a/{user}")));
        assertThat(kind.perProject(irb)).as("an IRB number is the project's").isTrue();
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> kind.facts(irb)))
                .hasMessageContaining("cdp-access.yaml:7: source 'irb': the url or body asks with {irb_number}");
    }
}
