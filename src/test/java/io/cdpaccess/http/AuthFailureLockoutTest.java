package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed authentications lock one address out (429) until its window refills; others are unaffected. */
class AuthFailureLockoutTest {

    static final String SECRET = "prod-secret-0123456789";
    static final String URL = "https://redcap.example.edu/";

    @TempDir
    Path dir;

    @Test
    void anAddressThatKeepsGuessingIsLockedOutUntilTheWindowRefills() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, """
                listen: 127.0.0.1:0
                data_dir: ./data
                auth_failures:
                  limit: 3
                  window: 10m
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(URL, SECRET), Map.of(), clock)) {
            service.grant("prod", "alice", 42, Optional.empty());
            InetAddress attacker = InetAddress.getByName("127.0.0.77");
            InetAddress neighbour = InetAddress.getByName("127.0.0.78");

            for (int i = 0; i < 3; i++) {
                assertThat(call(service, attacker, "guess-" + i + "-0123456789abcdef")
                                .status())
                        .isEqualTo(403);
            }
            RawHttp.Response locked = call(service, attacker, SECRET);
            RawHttp.Response fromNeighbour = call(service, neighbour, SECRET);
            clock.advance(Duration.ofMinutes(10));
            RawHttp.Response afterWindow = call(service, attacker, SECRET);

            assertThat(locked.status()).isEqualTo(429);
            assertThat(locked.body()).isEqualTo("0");
            assertThat(service.decision(locked.header("X-Decision-Id"))
                            .orElseThrow()
                            .reason())
                    .isEqualTo("rate-limited");
            assertThat(fromNeighbour.body()).isEqualTo("1");
            assertThat(afterWindow.status()).isEqualTo(200);
            assertThat(afterWindow.body()).isEqualTo("1");
        }
    }

    @Test
    void aCorrectSecretNeverUsesUpTheAllowance() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, """
                listen: 127.0.0.1:0
                data_dir: ./data
                auth_failures:
                  limit: 1
                  window: 1h
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(URL, SECRET))) {
            service.grant("prod", "alice", 42, Optional.empty());
            InetAddress redcap = InetAddress.getByName("127.0.0.90");
            for (int i = 0; i < 20; i++) {
                assertThat(call(service, redcap, SECRET).body()).isEqualTo("1");
            }
        }
    }

    private static RawHttp.Response call(ServiceUnderTest service, InetAddress from, String secret) throws Exception {
        byte[] body = UserAccessEndpointTest.form("alice", "42", URL);
        return RawHttp.send(
                from,
                InetAddress.getByName("127.0.0.1"),
                service.port(),
                RawHttp.request(
                        "POST",
                        "/user-access?secret=" + secret,
                        Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        body),
                10_000);
    }
}
