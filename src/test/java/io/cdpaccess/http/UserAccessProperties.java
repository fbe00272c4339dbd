package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever a caller sends — any method, secret placement, encoding, header or field value —
 * the service never answers {@code 1} unless an active grant covers the request, never answers
 * 5xx, and always answers (a hang fails the property through the socket timeout). Requests are
 * written byte by byte over a raw socket, so Java's HTTP client cannot tidy them up first.
 */
class UserAccessProperties {

    static final String SECRET = "prop-secret-0123456789-XYZ";
    static final String PROD_URL = "https://redcap.example.edu/";
    static final Set<Integer> STATUSES = Set.of(200, 400, 404, 414, 431);
    static final int TIMEOUT_MS = 15_000;

    static Path dir;
    static ServiceUnderTest service;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("cdp-access-props");
        service = ServiceUnderTest.start(dir, """
                listen: 127.0.0.1:0
                data_dir: ./data
                auth_failures:
                  limit: 1000000
                  window: 1s
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                  - name: other
                    redcap_url: https://other.example.edu/
                    secret: other-secret-0123456789-XYZ
                """.formatted(PROD_URL, SECRET));
        // The only active grant: alice on prod project 42. Bob's grant ended; carol's was revoked.
        service.grant("prod", "alice", 42, Optional.empty());
        service.grant("prod", "bob", 42, Optional.of(java.time.Instant.now().minusSeconds(1)));
        var carol = service.grant("prod", "carol", 42, Optional.empty());
        service.app().store().revokeGrants(io.cdpaccess.store.GrantSelector.byId(carol.id()), "test", "gone");
        service.app().snapshot().refresh();
    }

    @AfterContainer
    static void stop() {
        service.close();
    }

    enum SecretStyle {
        QUERY,
        QUERY_WRONG,
        QUERY_OTHER_INSTANCE,
        QUERY_TWICE,
        BASIC,
        BASIC_WRONG,
        NONE
    }

    enum Encoding {
        URLENCODED,
        MULTIPART,
        NO_CONTENT_TYPE,
        ODD_CONTENT_TYPE
    }

    /** One generated call and what an independent reading of the rules says it must get. */
    record Call(
            String method,
            SecretStyle secret,
            Encoding encoding,
            String user,
            String projectId,
            String redcapUrl,
            List<Map.Entry<String, String>> extraFields,
            Map<String, String> extraHeaders,
            String oddContentType) {

        boolean mustAllow() {
            return method.equals("POST")
                    && (secret == SecretStyle.QUERY || secret == SecretStyle.BASIC)
                    && encoding != Encoding.ODD_CONTENT_TYPE
                    && extraFields.stream()
                            .noneMatch(f ->
                                    Set.of("user", "project_id", "redcap_url").contains(f.getKey()))
                    && isAlice(user)
                    && isProject42(projectId)
                    && PROD_VARIANTS.contains(redcapUrl);
        }
    }

    static final List<String> PROD_VARIANTS = List.of(
            PROD_URL, "https://redcap.example.edu", "HTTPS://REDCAP.example.edu/", "https://redcap.example.edu:443/");

    static boolean isAlice(String user) {
        boolean clean = user.length() <= 255
                && user.chars().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029);
        return clean && user.strip().toLowerCase(Locale.ROOT).equals("alice");
    }

    static boolean isProject42(String pid) {
        return pid.matches("[0-9]{1,18}") && Long.parseLong(pid) == 42;
    }

    @Provide
    Arbitrary<Call> calls() {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just("POST")),
                Tuple.of(1, Arbitraries.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND")));
        Arbitrary<SecretStyle> secret = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(SecretStyle.QUERY)),
                Tuple.of(4, Arbitraries.just(SecretStyle.BASIC)),
                Tuple.of(2, Arbitraries.of(SecretStyle.values())));
        Arbitrary<Encoding> encoding = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(Encoding.URLENCODED)),
                Tuple.of(3, Arbitraries.just(Encoding.MULTIPART)),
                Tuple.of(2, Arbitraries.of(Encoding.values())));
        Arbitrary<String> anyText = Arbitraries.strings()
                .all()
                .ofMaxLength(40)
                .filter(s -> s.codePoints().allMatch(Character::isValidCodePoint) && !hasLoneSurrogate(s));
        Arbitrary<String> user = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of("alice", "ALICE", " Alice ")),
                Tuple.of(3, Arbitraries.of("alice\t", "bob", "carol", "dave", "alice\u2028", "al\u0000ice", "alicé")),
                Tuple.of(2, anyText),
                Tuple.of(1, Arbitraries.just("a".repeat(256))));
        Arbitrary<String> projectId = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of("42", "042")),
                Tuple.of(3, Arbitraries.of("43", "0", "-42", "+42", " 42", "42 ", "4.2e1", "٤٢", "42x")),
                Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20)),
                Tuple.of(1, anyText));
        Arbitrary<String> url = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(PROD_VARIANTS)),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                "https://other.example.edu/",
                                "https://redcap.example.edu:8443/",
                                "http://redcap.example.edu/",
                                "redcap.example.edu",
                                "https://user:pw@redcap.example.edu/",
                                "https://redcap.example.edu/?x=1")),
                Tuple.of(1, anyText));
        Arbitrary<List<Map.Entry<String, String>>> extras = Combinators.combine(
                        Arbitraries.frequencyOf(
                                Tuple.of(
                                        8,
                                        Arbitraries.strings()
                                                .alpha()
                                                .ofMinLength(1)
                                                .ofMaxLength(8)),
                                Tuple.of(1, Arbitraries.of("user", "project_id", "redcap_url"))),
                        anyText)
                .as(Map::entry)
                .list()
                .ofMaxSize(3);
        Arbitrary<Map<String, String>> headers = Arbitraries.maps(
                        Arbitraries.strings()
                                .alpha()
                                .ofMinLength(1)
                                .ofMaxLength(10)
                                .map(s -> "X-" + s),
                        Arbitraries.strings().withCharRange('!', '~').ofMaxLength(30))
                .ofMaxSize(3);
        Arbitrary<String> oddType = Arbitraries.of(
                "text/plain",
                "application/json",
                "multipart/form-data",
                "application/x-www-form-urlencoded; charset=koi8-r",
                "*/*",
                "multipart/mixed; boundary=x");
        return Combinators.combine(method, secret, encoding, user, projectId, url, extras, headers)
                .as((m, s, e, u, p, r, x, h) -> new Call(m, s, e, u, p, r, x, h, null))
                .flatMap(c -> oddType.map(t -> new Call(
                        c.method(),
                        c.secret(),
                        c.encoding(),
                        c.user(),
                        c.projectId(),
                        c.redcapUrl(),
                        c.extraFields(),
                        c.extraHeaders(),
                        t)));
    }

    @Property(tries = 400)
    void neverOneWithoutAnActiveGrantNeverAnErrorNeverAHang(@ForAll("calls") Call call) throws Exception {
        RawHttp.Response r = send(call);
        Statistics.label("must allow")
                .collect(call.mustAllow())
                .coverage(c -> c.check(true).percentage(p -> p > 3)); // the allow side is really exercised

        assertThat(r.status()).as("status for %s", call).isIn(STATUSES);
        assertThat(RedcapClient.phpTrim(r.body()).equals("1"))
                .as("REDCap would grant for %s", call)
                .isEqualTo(call.mustAllow());
        if (r.body().equals("1")) {
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Property(tries = 200)
    void arbitraryBodiesUnderAnyContentTypeNeverYieldOne(
            @ForAll byte[] body, @ForAll("contentTypes") String contentType) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        if (!contentType.isEmpty()) {
            headers.put("Content-Type", contentType);
        }
        RawHttp.Response r = RawHttp.send(
                null,
                InetAddress.getLoopbackAddress(),
                service.port(),
                RawHttp.request("POST", "/user-access?secret=" + SECRET, headers, body),
                TIMEOUT_MS);

        assertThat(r.status()).isIn(STATUSES);
        assertThat(RedcapClient.phpTrim(r.body())).isNotEqualTo("1");
    }

    @Property(tries = 200)
    void arbitraryBytesOnTheWireNeverYieldOneOrAnError(
            @ForAll byte[] garbage, @ForAll("requestLines") String requestLine) throws Exception {
        byte[] head = requestLine.getBytes(StandardCharsets.ISO_8859_1);
        byte[] raw = new byte[head.length + garbage.length];
        System.arraycopy(head, 0, raw, 0, head.length);
        System.arraycopy(garbage, 0, raw, head.length, garbage.length);

        RawHttp.Response r = RawHttp.send(null, InetAddress.getLoopbackAddress(), service.port(), raw, TIMEOUT_MS);

        if (r.status() != -1) { // the server may also just close a connection it cannot parse
            // Never a 500. The one 5xx the connector may send is 505 for an HTTP version it does
            // not speak (HTTP/9.9): the protocol's own answer, which REDCap treats as a failure (0).
            if (r.status() == 505) {
                assertThat(requestLine).contains("HTTP/9.9");
            } else {
                assertThat(r.status()).isLessThan(500);
            }
        }
        assertThat(RedcapClient.phpTrim(r.body())).isNotEqualTo("1");
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=b",
                        "multipart/form-data",
                        "text/plain",
                        "application/x-www-form-urlencoded; charset=iso-8859-1"),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60));
    }

    @Provide
    Arbitrary<String> requestLines() {
        return Arbitraries.of(
                "",
                "POST /user-access?secret=" + SECRET + " HTTP/1.1\r\n",
                "POST /user-access?secret=" + SECRET + " HTTP/1.1\r\nHost: x\r\n",
                "POST /user-access?secret=" + SECRET + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
                "GET / HTTP/1.0\r\n",
                "POST /user-access HTTP/9.9\r\n\r\n");
    }

    private static RawHttp.Response send(Call call) throws IOException {
        byte[] body;
        Map<String, String> headers = new LinkedHashMap<>(call.extraHeaders());
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        fields.add(Map.entry("user", call.user()));
        fields.add(Map.entry("project_id", call.projectId()));
        fields.add(Map.entry("redcap_url", call.redcapUrl()));
        fields.addAll(call.extraFields());
        switch (call.encoding()) {
            case MULTIPART -> {
                String boundary = "----jqwik" + Long.toHexString(System.nanoTime());
                StringBuilder sb = new StringBuilder();
                for (Map.Entry<String, String> f : fields) {
                    sb.append("--")
                            .append(boundary)
                            .append("\r\n")
                            .append("Content-Disposition: form-data; name=\"")
                            .append(f.getKey())
                            .append("\"\r\n\r\n")
                            .append(f.getValue())
                            .append("\r\n");
                }
                sb.append("--").append(boundary).append("--\r\n");
                body = sb.toString().getBytes(StandardCharsets.UTF_8);
                headers.put("Content-Type", "multipart/form-data; boundary=\"" + boundary + "\"");
                if (fields.stream().anyMatch(f -> f.getValue().contains("--" + "----jqwik"))) {
                    throw new IllegalStateException("value collides with boundary");
                }
            }
            default -> {
                StringBuilder sb = new StringBuilder();
                for (Map.Entry<String, String> f : fields) {
                    if (sb.length() > 0) {
                        sb.append('&');
                    }
                    sb.append(RedcapClient.phpUrlencode(f.getKey()))
                            .append('=')
                            .append(RedcapClient.phpUrlencode(f.getValue()));
                }
                body = sb.toString().getBytes(StandardCharsets.UTF_8);
                if (call.encoding() == Encoding.URLENCODED) {
                    headers.put("Content-Type", "application/x-www-form-urlencoded");
                } else if (call.encoding() == Encoding.ODD_CONTENT_TYPE) {
                    headers.put("Content-Type", call.oddContentType());
                }
            }
        }
        String target = "/user-access";
        switch (call.secret()) {
            case QUERY -> target += "?secret=" + SECRET;
            case QUERY_WRONG -> target += "?secret=" + SECRET + "x";
            case QUERY_OTHER_INSTANCE -> target += "?secret=other-secret-0123456789-XYZ";
            case QUERY_TWICE -> target += "?secret=" + SECRET + "&secret=" + SECRET;
            case BASIC ->
                headers.put(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(("redcap:" + SECRET).getBytes(StandardCharsets.UTF_8)));
            case BASIC_WRONG ->
                headers.put(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(("redcap:" + SECRET + "!").getBytes(StandardCharsets.UTF_8)));
            case NONE -> {}
        }
        return RawHttp.send(
                null,
                InetAddress.getLoopbackAddress(),
                service.port(),
                RawHttp.request(call.method(), target, headers, body),
                TIMEOUT_MS);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
