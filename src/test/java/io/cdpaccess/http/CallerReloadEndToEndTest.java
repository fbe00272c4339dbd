package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.config.RestartNeeded;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caller settings in the watched file (secrets, {@code allow_from}, {@code redcap_url},
 * {@code trusted_proxies}) apply on reload, through the real listener, as one set; settings
 * that need a restart are named in the log and in {@code cdp_access_restart_needed}.
 */
class CallerReloadEndToEndTest {

    static final String OLD_SECRET = ServiceUnderTest.PROD_SECRET;
    static final String NEW_SECRET = "rotated-Secret-9876543210-abc";
    static final String URL = ServiceUnderTest.PROD_URL;

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    static String prod(String secret, String url, String more) {
        return """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(url, secret) + more;
    }

    @Test
    void aRotatedSecretIsRefusedRightAfterTheReloadAndTheNewOneAccepted() {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, prod(OLD_SECRET, URL, ""))) {
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(redcap.userAccess(service.url(OLD_SECRET), "alice", 42, URL))
                    .isEqualTo("1");

            service.reload(prod(NEW_SECRET, URL, ""));

            RedcapClient.Response old = redcap.call(service.url(OLD_SECRET), "alice", "42", URL);
            assertThat(old.status()).isEqualTo(404);
            assertThat(old.body()).isEqualTo("0");
            assertThat(service.decision(old.header("X-Decision-Id"))
                            .orElseThrow()
                            .reason())
                    .isEqualTo("unauthenticated");
            assertThat(redcap.userAccess(service.url(NEW_SECRET), "alice", 42, URL))
                    .isEqualTo("1");
        }
    }

    @Test
    void aRefusedReloadKeepsTheLastGoodSecrets() {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, prod(OLD_SECRET, URL, ""))) {
            service.grant("prod", "alice", 42, Optional.empty());

            service.reload(prod(NEW_SECRET, URL, "deadline: forever\n"));

            assertThat(service.app().policy().status().stale()).isTrue();
            assertThat(redcap.userAccess(service.url(OLD_SECRET), "alice", 42, URL))
                    .isEqualTo("1");
            assertThat(redcap.call(service.url(NEW_SECRET), "alice", "42", URL).status())
                    .isEqualTo(404);
        }
    }

    @Test
    void editedAllowFromAndTrustedProxiesApplyOnReload() throws Exception {
        InetAddress redcapHost = InetAddress.getByName("127.0.0.2");
        InetAddress proxy = InetAddress.getByName("127.0.0.1");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, prod(OLD_SECRET, URL, ""))) {
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(service.callFrom(proxy, OLD_SECRET).body()).isEqualTo("1");

            service.reload(prod(OLD_SECRET, URL, "    allow_from: [127.0.0.2/32]\n"));
            assertThat(service.callFrom(proxy, OLD_SECRET).header("X-Decision-Reason"))
                    .isEqualTo("address-not-allowed");
            assertThat(service.callFrom(redcapHost, OLD_SECRET).body()).isEqualTo("1");
            assertThat(forwarded(service, proxy, "127.0.0.2").header("X-Decision-Reason"))
                    .isEqualTo("address-not-allowed"); // the proxy is not trusted yet

            service.reload(prod(OLD_SECRET, URL, "    allow_from: [127.0.0.2/32]\ntrusted_proxies: [127.0.0.1/32]\n"));
            RawHttp.Response viaProxy = forwarded(service, proxy, "127.0.0.2");
            assertThat(viaProxy.body()).isEqualTo("1");
        }
    }

    @Test
    void anEditedRedcapUrlAppliesOnReload() {
        String other = "https://redcap-new.example.edu/";
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, prod(OLD_SECRET, URL, ""))) {
            service.grant("prod", "alice", 42, Optional.empty());

            service.reload(prod(OLD_SECRET, other, ""));

            RedcapClient.Response stale = redcap.call(service.url(OLD_SECRET), "alice", "42", URL);
            assertThat(stale.body()).isEqualTo("0");
            assertThat(service.decision(stale.header("X-Decision-Id"))
                            .orElseThrow()
                            .reason())
                    .isEqualTo("instance-mismatch");
            assertThat(redcap.userAccess(service.url(OLD_SECRET), "alice", 42, other))
                    .isEqualTo("1");
        }
    }

    /**
     * Two instances trade names (and so bindings) on every reload while requests stream in. A
     * request that authenticated against one set and was matched against the other's
     * {@code redcap_url} would be an {@code instance-mismatch} "0"; every answer must be "1".
     */
    @Test
    void requestsDuringManyReloadsSeeOneSetOfCallersNeverAMix() throws Exception {
        String secretA = "first-Secret-0123456789-abcd";
        String secretB = "second-Secret-0123456789-efgh";
        String urlA = "https://redcap-a.example.edu/";
        String urlB = "https://redcap-b.example.edu/";
        String one = twoInstances("one", secretA, urlA, "two", secretB, urlB);
        String swapped = twoInstances("two", secretA, urlA, "one", secretB, urlB);
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, one)) {
            service.grant("one", "alice", 42, Optional.empty());
            service.grant("two", "alice", 42, Optional.empty());
            AtomicBoolean reloading = new AtomicBoolean(true);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<String>>> streams = new ArrayList<>();
                for (String[] call : List.of(new String[] {secretA, urlA}, new String[] {secretB, urlB})) {
                    streams.add(callers.submit(() -> {
                        List<String> answers = new ArrayList<>();
                        do {
                            answers.add(redcap.userAccess(service.url(call[0]), "alice", 42, call[1]));
                        } while (reloading.get() && answers.size() < 2_000);
                        return answers;
                    }));
                }
                for (int i = 0; i < 40; i++) {
                    assertThat(service.reload(i % 2 == 0 ? swapped : one)
                                    .status()
                                    .stale())
                            .isFalse();
                    assertThat(redcap.userAccess(service.url(secretA), "alice", 42, urlA))
                            .isEqualTo("1");
                }
                reloading.set(false);
                for (Future<List<String>> stream : streams) {
                    assertThat(stream.get(60, TimeUnit.SECONDS)).isNotEmpty().containsOnly("1");
                }
            } finally {
                reloading.set(false);
                callers.shutdownNow();
            }
        }
    }

    @Test
    void aSettingThatNeedsARestartIsNamedInOneWarnLineAndAMetric() {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, prod(OLD_SECRET, URL, ""));
                CapturedLog log = CapturedLog.of(RestartNeeded.class)) {
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(service.scrape().value("cdp_access_restart_needed", "setting", "listen"))
                    .hasValue(0);

            service.reload(prod(NEW_SECRET, URL, "").replace("127.0.0.1:0", "127.0.0.1:1") + "deadline: 3s\n");

            assertThat(log.at(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("listen, deadline")
                    .contains("next restart");
            assertThat(service.scrape().value("cdp_access_restart_needed", "setting", "listen"))
                    .hasValue(1);
            assertThat(service.scrape().value("cdp_access_restart_needed", "setting", "deadline"))
                    .hasValue(1);
            assertThat(service.scrape().value("cdp_access_restart_needed", "setting", "tls"))
                    .hasValue(0);
            // Everything else applied, and the health endpoint still says only up/down.
            assertThat(redcap.userAccess(service.url(NEW_SECRET), "alice", 42, URL))
                    .isEqualTo("1");
            String health = redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                    .body();
            assertThat(health).doesNotContain("listen").doesNotContain("restart");

            service.reload(prod(NEW_SECRET, URL, "").replace("127.0.0.1:0", "127.0.0.1:1") + "deadline: 3s\n");
            assertThat(log.at(Level.WARN)).hasSize(1); // the same difference is not warned again

            service.reload(prod(NEW_SECRET, URL, ""));
            assertThat(service.scrape().value("cdp_access_restart_needed", "setting", "listen"))
                    .hasValue(0);
        }
    }

    private static String twoInstances(
            String first, String secretA, String urlA, String second, String secretB, String urlB) {
        return """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: %s
                    redcap_url: %s
                    secret: %s
                  - name: %s
                    redcap_url: %s
                    secret: %s
                """.formatted(first, urlA, secretA, second, urlB, secretB);
    }

    private static RawHttp.Response forwarded(ServiceUnderTest service, InetAddress from, String forwardedFor)
            throws Exception {
        byte[] body = ("user=alice&project_id=42&redcap_url=" + java.net.URLEncoder.encode(URL, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(
                from,
                InetAddress.getByName("127.0.0.1"),
                service.port(),
                RawHttp.request(
                        "POST",
                        "/user-access?secret=" + OLD_SECRET,
                        Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", forwardedFor),
                        body),
                30_000);
    }
}
