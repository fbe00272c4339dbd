package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The REDCap endpoint end to end over loopback HTTP, through a client that behaves like REDCap's
 * PHP: each status REDCap can see, what it makes of it, and what lands in the decision log.
 */
class UserAccessEndpointTest {

    static final String PROD = "prod-secret-0123456789-XYZ";
    static final String TEST = "test-secret-0123456789-XYZ";
    static final String LOCAL_ONLY = "local-secret-0123456789-XYZ";
    static final String V6_ONLY = "v6only-secret-0123456789-XYZ";
    static final String PROD_URL = "https://redcap.example.edu/";
    static final String TEST_URL = "https://redcap-test.example.edu/redcap/";

    @TempDir
    static Path dir;

    static ServiceUnderTest service;
    static final RedcapClient redcap = new RedcapClient();

    @BeforeAll
    static void start() {
        service = ServiceUnderTest.start(dir, """
                listen: 127.0.0.1:0
                data_dir: ./data
                deadline: 3s
                store:
                  refresh_interval: 100ms
                trusted_proxies: [127.0.0.2/32]
                auth_failures:
                  limit: 1000
                  window: 1h
                instances:
                  - name: prod
                    redcap_url: https://Redcap.Example.EDU
                    secret: %s
                  - name: test
                    redcap_url: %s
                    secret: "sha256:%s"
                  - name: local
                    redcap_url: https://redcap-local.example.edu/
                    secret: %s
                    allow_from: [127.0.0.0/8]
                  - name: v6only
                    redcap_url: https://redcap-v6.example.edu/
                    secret: %s
                    allow_from: ["2001:db8::/32"]
                """.formatted(PROD, TEST_URL, sha256Hex(TEST), LOCAL_ONLY, V6_ONLY));
        service.grant("prod", "alice", 42, Optional.empty());
        service.grant("test", "carol", 0, Optional.empty());
        service.grant("local", "dave", 9, Optional.empty());
        service.grant("v6only", "erin", 9, Optional.empty());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void grantedUserIsAllowedWithBody1AndTheDecisionIsOnRecord() {
        RedcapClient.Response r = redcap.call(service.url(PROD), "alice", "42", PROD_URL);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("1");
        assertThat(r.redcapValue()).isEqualTo("1");
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        String id = r.header("X-Decision-Id");
        DecisionRecord record = service.decision(id).orElseThrow();
        assertThat(record.effect()).isEqualTo(Effect.ALLOW);
        assertThat(record.reason()).isEqualTo("grant");
        assertThat(record.instance()).contains("prod");
        assertThat(record.user()).contains("alice");
        assertThat(record.projectId()).contains("42");
        assertThat(record.callerIp()).isEqualTo("127.0.0.1");
        assertThat(record.httpStatus()).isEqualTo(200);
        assertThat(record.grantId()).isPresent();
    }

    @Test
    void usernamesMatchWhateverTheirCaseAndSurroundingSpace() {
        assertThat(redcap.userAccess(service.url(PROD), "  ALICE ", 42, PROD_URL))
                .isEqualTo("1");
    }

    @Test
    void userWithoutGrantIsDeniedWith200AndBody0AndTheReasonIsRecorded() {
        RedcapClient.Response r = redcap.call(service.url(PROD), "bob", "42", PROD_URL);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0");
        assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                .isEqualTo("no-grant");
        assertThat(redcap.call(service.url(PROD), "alice", "43", PROD_URL).redcapValue())
                .isEqualTo("0");
    }

    @Test
    void everyProjectGrantCoversAnyProjectOfItsInstanceOnly() {
        assertThat(redcap.userAccess(service.url(TEST), "carol", 1, TEST_URL)).isEqualTo("1");
        assertThat(redcap.userAccess(service.url(TEST), "carol", 987654, TEST_URL))
                .isEqualTo("1");
        assertThat(redcap.userAccess(service.url(PROD), "carol", 1, PROD_URL)).isEqualTo("0");
    }

    @Test
    void theTestButtonsEmptyPostGets200And0WithItsOwnReason() {
        RedcapClient.Response r = redcap.testButton(service.url(PROD));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0");
        assertThat(r.failed()).isFalse(); // REDCap reports the Test as a success
        assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                .isEqualTo("empty-request");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "user=alice&project_id=42",
                "user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F&user=alice",
                "user=&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=alice&project_id=042x&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=alice&project_id=-42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=alice&project_id=0&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=ali%0Ace&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=alice%ZZ&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=%C3%28&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F",
                "user=alice&project_id=42&redcap_url=not-a-url",
                "garbage"
            })
    void malformedRequestsAreDeniedWith200And0AsBadRequest(String body) {
        RedcapClient.Response r = redcap.post(service.url(PROD), body, "application/x-www-form-urlencoded");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0");
        assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                .isEqualTo("bad-request");
    }

    @Test
    void overLongFieldsAreDenied() {
        String longUser = "a".repeat(256);
        RedcapClient.Response r = redcap.call(service.url(PROD), longUser, "42", PROD_URL);

        assertThat(r.body()).isEqualTo("0");
        DecisionRecord record = service.decision(r.header("X-Decision-Id")).orElseThrow();
        assertThat(record.reason()).isEqualTo("bad-request");
        assertThat(record.user().orElseThrow()).hasSize(256).endsWith("…"); // kept, truncated, for the record
    }

    @Test
    void multipartBodiesAreAcceptedToo() {
        String boundary = "----cdpBoundary7MA4YWxk";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"project_id\"\r\n\r\n42\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"redcap_url\"\r\n\r\n" + PROD_URL + "\r\n"
                + "--" + boundary + "--\r\n";
        RedcapClient.Response r = redcap.post(service.url(PROD), body, "multipart/form-data; boundary=" + boundary);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://redcap.example.edu",
                "https://redcap.example.edu/",
                "HTTPS://REDCAP.EXAMPLE.EDU/",
                "https://redcap.example.edu:443/",
                "https://redcap.example.edu//"
            })
    void redcapUrlVariantsOfTheBoundInstallationAreTheSame(String variant) {
        assertThat(redcap.userAccess(service.url(PROD), "alice", 42, variant)).isEqualTo("1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://redcap.example.edu:8443/",
                "http://redcap.example.edu/",
                "https://redcap.example.edu/redcap/",
                TEST_URL,
                "https://evil.example.com/"
            })
    void anotherInstallationsUrlWithThisSecretIsAnInstanceMismatch(String other) {
        RedcapClient.Response r = redcap.call(service.url(PROD), "alice", "42", other);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("0");
        assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                .isEqualTo("instance-mismatch");
    }

    @Test
    void theTestInstancesPathMayComeWithoutItsTrailingSlash() {
        assertThat(redcap.userAccess(service.url(TEST), "carol", 5, "https://redcap-test.example.edu/redcap"))
                .isEqualTo("1");
    }

    @Nested
    class CallerAuthentication {

        @Test
        void missingOrWrongSecretIs404With0AndNoInstanceOnRecord() {
            RedcapClient.Response missing = redcap.call(service.base() + "/user-access", "alice", "42", PROD_URL);
            RedcapClient.Response wrong = redcap.call(service.url("prod-secret-0123456788"), "alice", "42", PROD_URL);

            for (RedcapClient.Response r : new RedcapClient.Response[] {missing, wrong}) {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).isEqualTo("0");
                assertThat(r.redcapValue()).isEqualTo("0");
                assertThat(r.header("X-Decision-Reason")).isEqualTo("unauthenticated");
                DecisionRecord record =
                        service.decision(r.header("X-Decision-Id")).orElseThrow();
                assertThat(record.effect()).isEqualTo(Effect.REJECTED);
                assertThat(record.reason()).isEqualTo("unauthenticated");
                assertThat(record.instance()).isEmpty();
            }
        }

        @Test
        void aSecretConfiguredHashedAuthenticatesWithItsPlainText() {
            assertThat(redcap.userAccess(service.url(TEST), "carol", 3, TEST_URL))
                    .isEqualTo("1");
            assertThat(redcap.call(service.url(sha256Hex(TEST)), "carol", "3", TEST_URL)
                            .status())
                    .isEqualTo(404);
        }

        @Test
        void theSecretMayComeAsTheBasicPasswordOfUserPasswordAtHost() {
            String url = "http://redcap:" + PROD + "@127.0.0.1:" + service.port() + "/user-access";
            String wrong = "http://redcap:nope-nope-nope-nope@127.0.0.1:" + service.port() + "/user-access";

            assertThat(redcap.userAccess(url, "alice", 42, PROD_URL)).isEqualTo("1");
            assertThat(redcap.call(wrong, "alice", "42", PROD_URL).status()).isEqualTo(404);
        }

        @Test
        void aRepeatedAuthorizationHeaderIsNotAuthenticationAsARepeatedSecretIsNot() throws Exception {
            String right = "Basic "
                    + java.util.Base64.getEncoder().encodeToString(("redcap:" + PROD).getBytes(StandardCharsets.UTF_8));
            String wrong = "Basic "
                    + java.util.Base64.getEncoder().encodeToString("redcap:wrong".getBytes(StandardCharsets.UTF_8));
            Map<String, String> once = new LinkedHashMap<>();
            once.put("Content-Type", "application/x-www-form-urlencoded");
            once.put("Authorization", right);
            Map<String, String> twice = new LinkedHashMap<>(once);
            twice.put("authorization", wrong); // a second header line (header names are case-insensitive)
            Map<String, String> twiceRight = new LinkedHashMap<>(once);
            twiceRight.put("authorization", right);

            RawHttp.Response single = send(once);
            for (RawHttp.Response r : List.of(send(twice), send(twiceRight))) {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).isEqualTo("0");
                assertThat(r.header("X-Decision-Reason")).isEqualTo("unauthenticated");
            }
            assertThat(single.body()).isEqualTo("1");
        }

        private RawHttp.Response send(Map<String, String> headers) throws Exception {
            return RawHttp.send(
                    null,
                    loopback(),
                    service.port(),
                    RawHttp.request("POST", "/user-access", headers, form("alice", "42", PROD_URL)),
                    10_000);
        }

        @Test
        void aRepeatedSecretParameterIsNotAuthentication() {
            RedcapClient.Response r = redcap.call(service.url(PROD) + "&secret=" + PROD, "alice", "42", PROD_URL);

            assertThat(r.status()).isEqualTo(404);
        }

        @Test
        void anAddressOutsideAllowFromIs404() throws Exception {
            assertThat(redcap.userAccess(service.url(LOCAL_ONLY), "dave", 9, "https://redcap-local.example.edu/"))
                    .isEqualTo("1");
            RedcapClient.Response r = redcap.call(service.url(V6_ONLY), "erin", "9", "https://redcap-v6.example.edu/");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("X-Decision-Reason")).isEqualTo("address-not-allowed");
            assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                    .isEqualTo("address-not-allowed");
        }

        @Test
        void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
            byte[] body = form("erin", "9", "https://redcap-v6.example.edu/");
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            headers.put("X-Forwarded-For", "2001:db8::5");
            byte[] raw = RawHttp.request("POST", "/user-access?secret=" + V6_ONLY, headers, body);

            RawHttp.Response viaProxy =
                    RawHttp.send(InetAddress.getByName("127.0.0.2"), loopback(), service.port(), raw, 10_000);
            RawHttp.Response stranger =
                    RawHttp.send(InetAddress.getByName("127.0.0.3"), loopback(), service.port(), raw, 10_000);

            assertThat(viaProxy.status()).isEqualTo(200);
            assertThat(viaProxy.body()).isEqualTo("1");
            DecisionRecord proxied =
                    service.decision(viaProxy.header("X-Decision-Id")).orElseThrow();
            assertThat(proxied.callerIp()).isEqualTo("2001:db8::5");
            assertThat(proxied.peerIp()).isEqualTo("127.0.0.2");
            assertThat(stranger.status()).isEqualTo(404);
            assertThat(stranger.body()).isEqualTo("0");
        }

        @Test
        void aSpoofedEntryBeforeTheTrustedProxysOwnIsIgnored() throws Exception {
            // The client wrote "2001:db8::5" itself; the trusted proxy appended the client's real address.
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            headers.put("X-Forwarded-For", "2001:db8::5, 198.51.100.7");
            byte[] raw = RawHttp.request(
                    "POST",
                    "/user-access?secret=" + V6_ONLY,
                    headers,
                    form("erin", "9", "https://redcap-v6.example.edu/"));

            RawHttp.Response r =
                    RawHttp.send(InetAddress.getByName("127.0.0.2"), loopback(), service.port(), raw, 10_000);

            assertThat(r.status()).isEqualTo(404);
            assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().callerIp())
                    .isEqualTo("198.51.100.7");
        }
    }

    @Nested
    class WhatIsNotAUserAccessCall {

        @ParameterizedTest
        @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "FOO"})
        void otherMethodsAre404With0(String method) throws Exception {
            RawHttp.Response r = RawHttp.send(
                    null,
                    loopback(),
                    service.port(),
                    RawHttp.request(method, "/user-access?secret=" + PROD, Map.of(), new byte[0]),
                    10_000);

            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Allow")).isEqualTo("POST");
            assertThat(r.header("X-Decision-Reason")).isEqualTo("method-not-allowed");
            if (!method.equals("HEAD")) {
                assertThat(r.body()).isEqualTo("0");
            }
            assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().reason())
                    .isEqualTo("method-not-allowed");
        }

        @Test
        void aBodyOver16KiBIs404With0() throws Exception {
            String padding = "&pad=" + "x".repeat(17_000);
            RedcapClient.Response declared = redcap.post(
                    service.url(PROD),
                    "user=alice&project_id=42&redcap_url=" + RedcapClient.phpUrlencode(PROD_URL) + padding,
                    "application/x-www-form-urlencoded");

            assertThat(declared.status()).isEqualTo(404);
            assertThat(declared.body()).isEqualTo("0");
            assertThat(service.decision(declared.header("X-Decision-Id"))
                            .orElseThrow()
                            .reason())
                    .isEqualTo("body-too-large");
        }

        @Test
        void aChunkedBodyOver16KiBIs404Too() throws Exception {
            byte[] chunk = ("user=alice&project_id=42&pad=" + "y".repeat(9_000)).getBytes(StandardCharsets.US_ASCII);
            StringBuilder chunked = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                chunked.append(Integer.toHexString(chunk.length))
                        .append("\r\n")
                        .append(new String(chunk, StandardCharsets.US_ASCII))
                        .append("\r\n");
            }
            chunked.append("0\r\n\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            headers.put("Transfer-Encoding", "chunked");

            RawHttp.Response r = RawHttp.send(
                    null,
                    loopback(),
                    service.port(),
                    RawHttp.request(
                            "POST",
                            "/user-access?secret=" + PROD,
                            headers,
                            chunked.toString().getBytes(StandardCharsets.US_ASCII)),
                    10_000);

            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("0");
            assertThat(r.header("X-Decision-Reason")).isEqualTo("body-too-large");
        }

        @Test
        void garbageThatIsNotHttpGetsA4xxWithBody0NeverA500() throws Exception {
            RawHttp.Response r = RawHttp.send(
                    null, loopback(), service.port(), "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 10_000);

            assertThat(r.status()).isBetween(400, 499);
            assertThat(r.body()).isEqualTo("0");
        }

        @Test
        void hugeHeadersGetA4xxWithBody0() throws Exception {
            RawHttp.Response r = RawHttp.send(
                    null,
                    loopback(),
                    service.port(),
                    RawHttp.request(
                            "POST",
                            "/user-access?secret=" + PROD,
                            Map.of("X-Big", "z".repeat(20_000)),
                            form("alice", "42", PROD_URL)),
                    10_000);

            assertThat(r.status()).isBetween(400, 499);
            assertThat(r.body()).isNotEqualTo("1");
        }
    }

    @Test
    void healthEndpointsRevealOnlyUpOrDown() {
        RedcapClient.Response live = redcap.send("GET", service.base() + "/health/live", new byte[0], null);
        RedcapClient.Response ready = redcap.send("GET", service.base() + "/health/ready", new byte[0], null);

        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body()).contains("\"up\"");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"ready\"").doesNotContain("jdbc").doesNotContain("prod");
    }

    @Test
    void theLogKeepsTheDecisionTimeFromTheServicesClock() {
        Instant before = Instant.now().minusSeconds(1);
        RedcapClient.Response r = redcap.call(service.url(PROD), "alice", "42", PROD_URL);

        assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().decidedAt())
                .isAfter(before);
    }

    static byte[] form(String user, String projectId, String redcapUrl) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user", user);
        fields.put("project_id", projectId);
        fields.put("redcap_url", redcapUrl);
        return RedcapClient.httpBuildQuery(fields).getBytes(StandardCharsets.UTF_8);
    }

    static InetAddress loopback() throws Exception {
        return InetAddress.getByName("127.0.0.1");
    }

    static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
