package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} as Prometheus and an operator see it: the answers REDCap got, counted with
 * the labels an alert would use; readable only from {@code metrics.allow_from}; gone when disabled.
 */
class MetricsEndpointTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void countsEveryAnswerByEffectAndReasonAndTimesThem() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                auth_failures:
                  limit: 2
                  window: 1h
                  max_delay: 100ms
                """))) {
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(redcap.call(service.url(SECRET), "alice", "42", URL).body())
                    .isEqualTo("1");
            assertThat(redcap.call(service.url(SECRET), "bob", "42", URL).body())
                    .isEqualTo("0");
            assertThat(redcap.testButton(service.url(SECRET)).body()).isEqualTo("0");
            InetAddress guesser = InetAddress.getByName("127.0.0.77");
            assertThat(service.callFrom(guesser, "wrong-secret-0123456789-XYZ").status())
                    .isEqualTo(404);
            assertThat(service.callFrom(guesser, "wrong-secret-9876543210").status())
                    .isEqualTo(404);
            // Beyond the allowance: the right secret is still decided, a wrong one is slowed.
            assertThat(service.callFrom(guesser, SECRET).status()).isEqualTo(200);
            assertThat(service.callFrom(guesser, "wrong-secret-5555555555").status())
                    .isEqualTo(404);
            assertThat(redcap.send("GET", service.url(SECRET), new byte[0], null)
                            .status())
                    .isEqualTo(404);

            RawHttp.Response response = get(service, InetAddress.getByName("127.0.0.1"), "/metrics", Map.of());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            Scrape scrape = Scrape.parse(response.body());

            assertThat(scrape.value(
                            "cdp_access_decisions_total",
                            "redcap_instance",
                            "prod",
                            "effect",
                            "allow",
                            "reason",
                            "grant"))
                    .hasValue(2);
            assertThat(scrape.value(
                            "cdp_access_decisions_total",
                            "redcap_instance",
                            "prod",
                            "effect",
                            "deny",
                            "reason",
                            "no-grant"))
                    .hasValue(1);
            assertThat(scrape.value(
                            "cdp_access_decisions_total",
                            "redcap_instance",
                            "prod",
                            "effect",
                            "deny",
                            "reason",
                            "empty-request"))
                    .hasValue(1);
            // errors are there from the start, so that an alert on their increase sees the first one
            assertThat(scrape.value(
                            "cdp_access_decisions_total",
                            "redcap_instance",
                            "prod",
                            "effect",
                            "error",
                            "reason",
                            "log-unavailable"))
                    .hasValue(0);
            assertThat(scrape.find("cdp_access_decisions_total"))
                    .noneMatch(s -> s.labels().get("effect").equals("rejected"));

            // Every refusal is a 404, which REDCap's Test button shows; the reason tells them apart.
            assertThat(scrape.find("cdp_access_requests_rejected_total"))
                    .allSatisfy(s -> assertThat(s.labels()).containsEntry("status", "404"));
            assertThat(scrape.value("cdp_access_requests_rejected_total", "reason", "unauthenticated", "status", "404"))
                    .hasValue(2);
            assertThat(scrape.value("cdp_access_requests_rejected_total", "reason", "rate-limited", "status", "404"))
                    .hasValue(1);
            assertThat(scrape.value(
                            "cdp_access_requests_rejected_total", "reason", "method-not-allowed", "status", "404"))
                    .hasValue(1);
            assertThat(scrape.value("cdp_access_requests_rejected_total", "reason", "body-too-large", "status", "404"))
                    .hasValue(0);
            assertThat(scrape.value(
                            "cdp_access_requests_rejected_total", "reason", "redirected-without-body", "status", "404"))
                    .hasValue(0);
            assertThat(scrape.value("cdp_access_auth_failures_total")).hasValue(3);
            assertThat(scrape.value("cdp_access_auth_slowed_total")).hasValue(1);

            assertThat(scrape.value("cdp_access_decision_seconds_count", "effect", "allow"))
                    .hasValue(2);
            assertThat(scrape.value("cdp_access_decision_seconds_count", "effect", "deny"))
                    .hasValue(2);
            assertThat(scrape.value("cdp_access_decision_seconds_count", "effect", "rejected"))
                    .hasValue(4);
            assertThat(scrape.value("cdp_access_decision_seconds_bucket", "effect", "allow", "le", "+Inf"))
                    .hasValue(2);
            assertThat(scrape.value("cdp_access_decision_seconds_bucket", "effect", "allow", "le", "5.0"))
                    .hasValue(2);
            assertThat(scrape.value("cdp_access_decision_seconds_sum", "effect", "allow")
                            .orElseThrow())
                    .isPositive();
            assertThat(scrape.value("cdp_access_metrics_requests_total", "result", "served"))
                    .hasValue(1);

            assertThat(scrape.value("cdp_access_ready")).hasValue(1);
            assertThat(scrape.value("cdp_access_store_reachable")).hasValue(1);
            assertThat(scrape.value("cdp_access_store_snapshot_grants")).hasValue(1);
            assertThat(scrape.value("cdp_access_store_snapshot_version").orElseThrow())
                    .isPositive();
            assertThat(scrape.value("cdp_access_store_refreshed_timestamp_seconds")
                            .orElseThrow())
                    .isCloseTo(System.currentTimeMillis() / 1e3, org.assertj.core.data.Offset.offset(60.0));
            // each answer's row is committed before the answer is sent: all 8 are in
            assertThat(scrape.value("cdp_access_decision_log_rows_total")).hasValue(8);
            assertThat(scrape.value("cdp_access_decision_log_commit_seconds_count")
                            .orElseThrow())
                    .isBetween(1.0, 8.0);
            assertThat(scrape.value("cdp_access_decision_log_commit_seconds_sum")
                            .orElseThrow())
                    .isPositive();
            assertThat(scrape.value("cdp_access_decision_log_commit_failures_total"))
                    .hasValue(0);
            assertThat(scrape.value("cdp_access_decision_log_queue_depth")).hasValue(0);
            assertThat(scrape.value("hikaricp_connections_max", "pool", "cdp-access"))
                    .hasValue(10);
            assertThat(scrape.find("jvm_memory_used_bytes")).isNotEmpty();
            assertThat(scrape.value("jvm_threads_live_threads").orElseThrow()).isPositive();
            assertThat(scrape.value("process_uptime_seconds").orElseThrow()).isPositive();
            assertThat(scrape.text())
                    .doesNotContain("alice")
                    .doesNotContain("bob")
                    .doesNotContain(SECRET);

            // A second scrape sees the counters move with the next answer.
            redcap.call(service.url(SECRET), "alice", "42", URL);
            Scrape next = Scrape.parse(get(service, InetAddress.getByName("127.0.0.1"), "/metrics", Map.of())
                    .body());
            assertThat(next.value(
                            "cdp_access_decisions_total",
                            "redcap_instance",
                            "prod",
                            "effect",
                            "allow",
                            "reason",
                            "grant"))
                    .hasValue(3);
            assertThat(next.value("cdp_access_decision_seconds_count", "effect", "allow"))
                    .hasValue(3);
        }
    }

    @Test
    void onlyCallersInAllowFromMayReadTheMetricsAndProxiesAreBelievedOnlyWhenTrusted() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                trusted_proxies: [127.0.0.3/32]
                metrics:
                  allow_from: [127.0.0.1/32]
                """))) {
            InetAddress prometheus = InetAddress.getByName("127.0.0.1");
            InetAddress stranger = InetAddress.getByName("127.0.0.2");
            InetAddress proxy = InetAddress.getByName("127.0.0.3");
            InetAddress untrustedProxy = InetAddress.getByName("127.0.0.4");

            assertThat(get(service, prometheus, "/metrics", Map.of()).status()).isEqualTo(200);
            RawHttp.Response refused = get(service, stranger, "/metrics", Map.of());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).isEqualTo("0");
            assertThat(refused.header("Content-Type")).startsWith("text/plain").containsIgnoringCase("charset=utf-8");
            assertThat(get(service, proxy, "/metrics", Map.of("X-Forwarded-For", "127.0.0.1"))
                            .status())
                    .isEqualTo(200);
            assertThat(get(service, proxy, "/metrics", Map.of("X-Forwarded-For", "127.0.0.2"))
                            .status())
                    .isEqualTo(403);
            RawHttp.Response forged = get(service, untrustedProxy, "/metrics", Map.of("X-Forwarded-For", "127.0.0.1"));
            assertThat(forged.status()).isEqualTo(403);
            assertThat(forged.body()).isEqualTo("0");

            Scrape scrape =
                    Scrape.parse(get(service, prometheus, "/metrics", Map.of()).body());
            assertThat(scrape.value("cdp_access_metrics_requests_total", "result", "refused"))
                    .hasValue(3);
            assertThat(scrape.value("cdp_access_metrics_requests_total", "result", "served"))
                    .hasValue(3);
        }
    }

    @Test
    void theDefaultIsThisHostOnly() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig(""))) {
            // every 127.x address is this host; the refusal of other hosts is the allow_from test above
            assertThat(get(service, InetAddress.getByName("127.0.0.9"), "/metrics", Map.of())
                            .status())
                    .isEqualTo(200);
            assertThat(get(service, InetAddress.getByName("127.0.0.1"), "/metrics", Map.of())
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void disabledMetricsAreNotServedAndUnknownPathsAre404Zero() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                metrics:
                  enabled: false
                """))) {
            service.grant("prod", "alice", 42, Optional.empty());
            InetAddress local = InetAddress.getByName("127.0.0.1");
            RawHttp.Response metrics = get(service, local, "/metrics", Map.of());
            assertThat(metrics.status()).isEqualTo(404);
            assertThat(metrics.body()).isEqualTo("0");
            assertThat(metrics.header("Content-Type")).startsWith("text/plain").containsIgnoringCase("charset=utf-8");
            RawHttp.Response unknown = get(service, local, "/user-access/1", Map.of());
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).isEqualTo("0"); // not a page echoing the path
            assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        }
    }

    @Test
    void aRefusedPolicyReloadShowsAsStaleWithItsReasonUntilAGoodPolicyArrives() throws Exception {
        String base = ServiceUnderTest.prodConfig("store:\n  refresh_interval: 100ms\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, base)) {
            Scrape start = service.scrape();
            String defaultVersion =
                    start.find("cdp_access_policy_info").get(0).labels().get("version");
            assertThat(start.value("cdp_access_policy_info", "version", defaultVersion))
                    .hasValue(1);
            assertThat(start.find("cdp_access_policy_stale"))
                    .extracting(s -> s.labels().get("reason"))
                    .containsExactlyInAnyOrder(
                            "config-unreadable", "config-invalid", "policy-invalid", "internal-error");
            assertThat(start.find("cdp_access_policy_stale")).allMatch(s -> s.value() == 0);
            assertThat(start.value("cdp_access_policy_rules")).hasValue(8);
            assertThat(start.value("cdp_access_policy_loaded_timestamp_seconds").orElseThrow())
                    .isCloseTo(System.currentTimeMillis() / 1e3, org.assertj.core.data.Offset.offset(60.0));
            assertThat(start.value("cdp_access_policy_reloads_total", "result", "refused"))
                    .hasValue(0);

            java.nio.file.Files.writeString(dir.resolve("cdp-access.yaml"), base + """
                    policy:
                      rules:
                        - name: broken
                          effect: allow
                          when: store.grant.actve
                    """);
            Scrape stale =
                    service.awaitScrape(s -> s.count("cdp_access_policy_stale", "reason", "policy-invalid") == 1);
            assertThat(stale.count("cdp_access_policy_reloads_total", "result", "refused"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(stale.value("cdp_access_policy_info", "version", defaultVersion))
                    .hasValue(1); // still serving
            assertThat(stale.value("cdp_access_policy_rules")).hasValue(8);
            assertThat(stale.text()).doesNotContain("actve"); // the reason's text is for the log, not a label

            java.nio.file.Files.writeString(dir.resolve("cdp-access.yaml"), base + """
                    policy:
                      rules:
                        - name: grant
                          effect: allow
                          when: store.grant.active
                    """);
            // (the watcher may catch the file half-written and refuse that first: wait for the end state)
            Scrape fixed = service.awaitScrape(s -> s.count("cdp_access_policy_info", "version", defaultVersion) == 0
                    && s.find("cdp_access_policy_stale").stream().allMatch(gauge -> gauge.value() == 0));
            assertThat(fixed.find("cdp_access_policy_info"))
                    .singleElement()
                    .satisfies(info -> assertThat(info.labels().get("version")).isNotEqualTo(defaultVersion));
            assertThat(fixed.value("cdp_access_policy_rules")).hasValue(1);
            assertThat(fixed.value("cdp_access_policy_reloads_total", "result", "applied"))
                    .hasValue(1);
        }
    }

    private static RawHttp.Response get(
            ServiceUnderTest service, InetAddress from, String path, Map<String, String> headers) throws IOException {
        return RawHttp.send(
                from,
                InetAddress.getByName("127.0.0.1"),
                service.port(),
                RawHttp.request("GET", path, headers, new byte[0]),
                10_000);
    }
}
