package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.RedirectingServer;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A redirect in front of the service (an http→https rule at a load balancer) makes REDCap's cURL
 * re-send a 301/302/303 without the form: every user would be denied while the DDP Test button
 * said "Success!". Such calls are refused with a 404 the button shows, recorded as
 * {@code redirected-without-body}, and the log says what to fix, once a minute.
 */
class RedirectedCallsTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
    final RedcapClient redcap = new RedcapClient();
    ServiceUnderTest service;
    CapturedLog warnings;

    @BeforeEach
    void start() {
        warnings = CapturedLog.named("io.cdpaccess.access.RedirectWarnings");
        service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig(""), Map.of(), clock);
        service.grant("prod", "alice", 42, Optional.empty());
    }

    @AfterEach
    void stop() {
        service.close();
        warnings.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303})
    void aRedirectThatDropsTheBodyIsAFailureTheTestButtonShows(int status) {
        try (RedirectingServer front = RedirectingServer.start(status, service.url(SECRET))) {
            String pasted = front.url("/user-access?secret=" + SECRET);

            RedcapClient.Response call = redcap.call(pasted, "alice", "42", URL);
            RedcapClient.Response testButton = redcap.testButton(pasted);

            for (RedcapClient.Response r : new RedcapClient.Response[] {call, testButton}) {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).isEqualTo("0");
                assertThat(r.failed()).as("the Test button shows a failure").isTrue();
                assertThat(r.header("X-Decision-Reason")).isEqualTo("redirected-without-body");
            }
            DecisionRecord record =
                    service.decision(call.header("X-Decision-Id")).orElseThrow();
            assertThat(record.effect()).isEqualTo(Effect.REJECTED);
            assertThat(record.instance()).contains("prod");
            assertThat(record.detail())
                    .hasValueSatisfying(d -> assertThat(d)
                            .startsWith("GET without a body, with a Referer")
                            .contains("paste the final https:// URL into REDCap")
                            .doesNotContain(SECRET));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {307, 308})
    void aRedirectThatKeepsTheBodyStillWorks(int status) {
        try (RedirectingServer front = RedirectingServer.start(status, service.url(SECRET))) {
            String pasted = front.url("/user-access?secret=" + SECRET);

            assertThat(redcap.userAccess(pasted, "alice", 42, URL)).isEqualTo("1");
            RedcapClient.Response testButton = redcap.testButton(pasted);
            assertThat(testButton.status()).isEqualTo(200);
            assertThat(testButton.header("X-Decision-Reason")).isEqualTo("empty-request");
        }
    }

    @Test
    void aPostThatLostItsFormIsRefusedButTheTestButtonsEmptyFormIsNot() throws Exception {
        // A POST re-sent without its form (no body, no content type) after a redirect...
        RawHttp.Response lostForm = send("POST", "/user-access?secret=" + SECRET, true, null);
        // ...and the Test button's empty form through a 307, which keeps the form's content type.
        RawHttp.Response testVia307 =
                send("POST", "/user-access?secret=" + SECRET, true, "application/x-www-form-urlencoded");
        RawHttp.Response testButton =
                send("POST", "/user-access?secret=" + SECRET, false, "application/x-www-form-urlencoded");

        assertThat(lostForm.status()).isEqualTo(404);
        assertThat(lostForm.header("X-Decision-Reason")).isEqualTo("redirected-without-body");
        for (RawHttp.Response r : List.of(testVia307, testButton)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("0");
            assertThat(r.header("X-Decision-Reason")).isEqualTo("empty-request");
        }
    }

    @Test
    void theOperatorIsToldWhatToFixAtMostOnceAMinute() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(send("GET", "/user-access?secret=" + SECRET, true).status())
                    .isEqualTo(404);
        }
        assertThat(warnings.at(Level.WARN))
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .startsWith("instance prod: a call arrived without its body after a redirect")
                        .contains("paste the final https:// URL into REDCap")
                        .doesNotContain(SECRET));

        clock.advance(Duration.ofSeconds(59));
        send("GET", "/user-access?secret=" + SECRET, true);
        assertThat(warnings.at(Level.WARN)).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        send("GET", "/user-access?secret=" + SECRET, true);
        assertThat(warnings.at(Level.WARN)).hasSize(2);
    }

    @Test
    void aRedirectToAnotherPortDropsBasicCredentialsAndTheRefusalSaysSo() {
        String basicUrl = "http://redcap:" + SECRET + "@127.0.0.1:" + service.port() + "/user-access";
        assertThat(redcap.userAccess(basicUrl, "alice", 42, URL)).isEqualTo("1");
        try (RedirectingServer front = RedirectingServer.start(307, service.base() + "/user-access")) {
            // The load balancer is another port: cURL keeps the body for a 307 but not the password.
            String pasted =
                    "http://redcap:" + SECRET + "@" + front.url("/user-access").substring("http://".length());

            RedcapClient.Response r = redcap.call(pasted, "alice", "42", URL);

            assertThat(r.status()).isEqualTo(404);
            assertThat(r.failed()).isTrue();
            assertThat(r.header("X-Decision-Reason")).isEqualTo("unauthenticated");
            assertThat(service.decision(r.header("X-Decision-Id")).orElseThrow().detail())
                    .hasValueSatisfying(d -> assertThat(d)
                            .contains("a redirect to another host or port drops user:password@ credentials"));
            assertThat(warnings.at(Level.WARN))
                    .singleElement()
                    .satisfies(line ->
                            assertThat(line).contains("came through a redirect").doesNotContain(SECRET));
        }
    }

    private RawHttp.Response send(String method, String target, boolean withReferer) throws Exception {
        return send(method, target, withReferer, null);
    }

    private RawHttp.Response send(String method, String target, boolean withReferer, String contentType)
            throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        if (withReferer) {
            headers.put("Referer", "http://127.0.0.1:1/user-access?secret=" + SECRET);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return RawHttp.send(
                null,
                InetAddress.getByName("127.0.0.1"),
                service.port(),
                RawHttp.request(method, target, headers, new byte[0]),
                10_000);
    }
}
