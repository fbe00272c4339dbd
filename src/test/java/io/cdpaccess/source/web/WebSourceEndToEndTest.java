package io.cdpaccess.source.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web source end to end: REDCap's call through the real listener, decided over a web source
 * on a local endpoint. An approved user is allowed; then the endpoint stalls, fails, redirects,
 * answers garbage or an endless body, and every answer is a {@code 0} within the deadline.
 */
class WebSourceEndToEndTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String TOKEN = "irb-token-0123456789abcdef0123456789";

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-12-01T18:00:00Z"));
    final RedcapClient redcap = new RedcapClient();

    static String config(TestEndpoint irb) {
        return ServiceUnderTest.prodConfig("""
                zone: America/Chicago
                deadline: 2s
                sources:
                  - name: irb
                    type: web
                    url: %s
                    auth: {bearer: '${IRB_TOKEN}'}
                    timeout: 1s
                    max_response_bytes: 4096
                    cache: {found: 0s, not_found: 0s, stale_if_error: 0s}
                    facts:
                      approved: {pointer: /person/approved, type: bool}
                policy:
                  rules:
                    - name: not-approved
                      effect: deny
                      when: "!irb.found || !irb.approved"
                    - name: irb-approved
                      effect: allow
                      when: irb.found && irb.approved
                """.formatted(irb.url("/api/personnel/{user}")));
    }

    @Test
    @Timeout(60)
    void anApprovedUserIsAllowedAndEveryWayTheEndpointFailsIsAZeroWithinTheDeadline() throws Exception {
        try (TestEndpoint irb = TestEndpoint.http();
                ServiceUnderTest service =
                        ServiceUnderTest.start(dir, config(irb), Map.of("IRB_TOKEN", TOKEN), clock)) {
            String url = service.url(SECRET);
            irb.answer((exchange, request) -> TestEndpoint.send(
                    exchange,
                    request.rawPath().endsWith("/alice") ? 200 : 404,
                    "application/json",
                    "{\"person\": {\"approved\": true}}"));
            RedcapClient.Response alice = timed(() -> call(url, "alice"));
            assertThat(alice.body() + " " + alice.header("X-Decision-Reason"))
                    .as(service.decision(alice.header("X-Decision-Id"))
                            .orElseThrow()
                            .toString())
                    .isEqualTo("1 irb-approved");
            assertThat(irb.last().header("Authorization")).isEqualTo("Bearer " + TOKEN);
            RedcapClient.Response bob = timed(() -> call(url, "bob"));
            assertThat(bob.status() + " " + bob.body() + " " + bob.header("X-Decision-Reason"))
                    .isEqualTo("200 0 not-approved");

            Map<String, TestEndpoint.Behaviour> failures = Map.of(
                    "stalls for 30 s", (exchange, request) -> Thread.sleep(30_000),
                    "trickles its body",
                            (exchange, request) -> {
                                exchange.sendResponseHeaders(200, 0);
                                OutputStream out = exchange.getResponseBody();
                                out.write("{\"person\": {\"approved\": true".getBytes(StandardCharsets.US_ASCII));
                                for (int i = 0; i < 300; i++) {
                                    out.write(' ');
                                    out.flush();
                                    Thread.sleep(100);
                                }
                            },
                    "answers 500", TestEndpoint.json(500, "{\"person\": {\"approved\": true}}"),
                    "answers 401", TestEndpoint.json(401, "{\"person\": {\"approved\": true}}"),
                    "redirects",
                            (exchange, request) -> {
                                exchange.getResponseHeaders().add("Location", "https://login.example.edu/");
                                exchange.sendResponseHeaders(302, -1);
                            },
                    "answers HTML", (exchange, request) -> TestEndpoint.send(exchange, 200, "text/html", "<html>"),
                    "answers an endless body",
                            (exchange, request) -> {
                                exchange.sendResponseHeaders(200, 0);
                                byte[] chunk = "{\"person\": {\"approved\": true}} "
                                        .repeat(64)
                                        .getBytes(StandardCharsets.US_ASCII);
                                while (true) {
                                    exchange.getResponseBody().write(chunk);
                                }
                            });
            for (Map.Entry<String, TestEndpoint.Behaviour> failure : failures.entrySet()) {
                irb.answer(failure.getValue());
                RedcapClient.Response r = timed(() -> call(url, "alice"));
                assertThat(r.body()).as("when the endpoint " + failure.getKey()).isEqualTo("0");
                assertThat(r.status())
                        .as("when the endpoint " + failure.getKey())
                        .isEqualTo(503);
                assertThat(r.header("X-Decision-Reason")).isEqualTo("fact-error");
                assertThat(service.decision(r.header("X-Decision-Id"))
                                .orElseThrow()
                                .toString())
                        .doesNotContain(TOKEN);
                clock.advance(Duration.ofMinutes(2)); // past any breaker: each failure is a fresh lookup
            }
        }
    }

    private RedcapClient.Response call(String url, String user) {
        return redcap.call(url, user, "42", ServiceUnderTest.PROD_URL);
    }

    /** The call, asserting it was answered within the 2 s deadline (with room for the client). */
    private static RedcapClient.Response timed(Supplier<RedcapClient.Response> call) {
        long start = System.nanoTime();
        RedcapClient.Response r = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        assertThat(r.status()).as("an answer, not a dropped connection").isPositive();
        return r;
    }
}
