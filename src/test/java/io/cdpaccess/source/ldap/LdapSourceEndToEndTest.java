package io.cdpaccess.source.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ldap source end to end: REDCap's call through the real listener decided by a rule over a
 * real (in-memory) directory, the directory stopping and coming back (stale answers within
 * grace and not after, the breaker, every answer within the deadline), and the command line's
 * {@code sources test}, {@code check --explain} and {@code policy replay} over its facts.
 */
class LdapSourceEndToEndTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-12-01T15:00:00Z"));

    static String config(String url, String staleIfError, String ruleGroup) {
        return ServiceUnderTest.prodConfig(
                """
                deadline: 2s
                sources:
                  - name: ldap
                    type: ldap
                    url: %s
                    bind_dn: %s
                    bind_password: ${LDAP_BIND_PASSWORD}
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (&(objectClass=inetOrgPerson)(uid={user}))
                    groups: nested
                    group_base: ou=groups,dc=example,dc=org
                    timeout: 500ms
                    cache: {found: 1m, not_found: 1m, stale_if_error: %s}
                policy:
                  rules:
                    - {name: not-an-ehr-user, effect: deny, when: "!ldap.found || !('%s' in ldap.groups)"}
                    - {name: ehr-user, effect: allow, when: "'%s' in ldap.groups"}
                """.formatted(url, TestDirectory.BIND_DN, staleIfError, ruleGroup, ruleGroup));
    }

    static Map<String, String> env() {
        return Map.of("LDAP_BIND_PASSWORD", TestDirectory.BIND_PASSWORD);
    }

    @Test
    void theWarmUpAsksTheDirectoryNothingAndLeavesTheSourcesMetersAndCacheUntouched() throws Exception {
        RedcapClient redcap = new RedcapClient();
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE);
                ServiceUnderTest service =
                        ServiceUnderTest.start(dir, config(directory.url(), "10m", "ehr-users"), env(), clock)) {
            assertThat(service.app().warmUp().rehearsed()).isPositive();
            assertThat(service.app().warmUp().incomplete()).isEmpty();
            Scrape started = service.scrape();
            assertThat(started.sum("cdp_access_source_lookup_seconds_count")).isZero();
            assertThat(started.sum("cdp_access_source_cache_total")).isZero();

            assertThat(redcap.userAccess(service.url(SECRET), "olivia", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            Scrape after = service.scrape();
            assertThat(after.sum("cdp_access_source_lookup_seconds_count")).isEqualTo(1);
            assertThat(after.count("cdp_access_source_cache_total", "source", "ldap", "result", "miss"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aDirectoryThatStopsIsStoodInForWithinGraceThenDeniedFastAndHeardAgainWhenBack() throws Exception {
        RedcapClient redcap = new RedcapClient();
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE);
                ServiceUnderTest service =
                        ServiceUnderTest.start(dir, config(directory.url(), "10m", "ehr-users"), env(), clock)) {
            String url = service.url(SECRET);
            assertThat(redcap.userAccess(url, "olivia", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "nobody", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("0");

            directory.stop();
            assertThat(redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                            .status())
                    .as("a source down leaves the service ready: decisions go on from cache or deny")
                    .isEqualTo(200);
            clock.advance(Duration.ofMinutes(5)); // past cache.found, within stale_if_error
            RedcapClient.Response stale = timed(() -> redcap.call(url, "olivia", "42", ServiceUnderTest.PROD_URL));
            assertThat(stale.status()).isEqualTo(200);
            assertThat(stale.body()).isEqualTo("1");
            assertThat(service.decision(stale.header("X-Decision-Id"))
                            .orElseThrow()
                            .detail()
                            .orElseThrow())
                    .contains("(stale facts: ldap:");

            clock.advance(Duration.ofMinutes(10)); // past stale_if_error: a leaver's grace is over
            for (int i = 0; i < 6; i++) {
                RedcapClient.Response down = timed(() -> redcap.call(url, "olivia", "42", ServiceUnderTest.PROD_URL));
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.body()).isEqualTo("0");
                assertThat(down.header("X-Decision-Reason")).isEqualTo("fact-error");
            }
            assertThat(service.scrape().text()).contains("cdp_access_source_breaker_open{source=\"ldap\"} 1.0");
            long start = System.nanoTime();
            redcap.call(url, "olivia", "42", ServiceUnderTest.PROD_URL);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("an open breaker answers without waiting for the dead directory")
                    .isLessThan(Duration.ofMillis(400));

            directory.server().startListening();
            // Back on another port? No: the in-memory server listens again on the port it had.
            clock.advance(Duration.ofSeconds(6)); // the breaker's first open period is over: a probe
            assertThat(redcap.userAccess(url, "olivia", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
        }
    }

    @Test
    void sourcesTestShowsTheRunningServersCacheAndBreakerBesideItsOwnLookup() throws Exception {
        Cli cli = new Cli(clock, env());
        RedcapClient redcap = new RedcapClient();
        Path config;
        String address;
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE)) {
            try (ServiceUnderTest service =
                    ServiceUnderTest.start(dir, config(directory.url(), "10m", "ehr-users"), env(), clock)) {
                // The command finds the server on the configured listen address; the test's has a port only once
                // started.
                address = "127.0.0.1:" + service.port();
                config = PrivateFiles.write(
                        dir.resolve("c.yaml"),
                        config(directory.url(), "10m", "ehr-users")
                                .replace("listen: 127.0.0.1:0", "listen: " + address));
                String url = service.url(SECRET);
                assertThat(redcap.userAccess(url, "olivia", 42, ServiceUnderTest.PROD_URL))
                        .isEqualTo("1");
                assertThat(redcap.userAccess(url, "olivia", 43, ServiceUnderTest.PROD_URL))
                        .isEqualTo("1");
                assertThat(redcap.userAccess(url, "nobody", 42, ServiceUnderTest.PROD_URL))
                        .isEqualTo("0");

                Scrape scrape = service.scrape();
                long hits = (long) scrape.value("cdp_access_source_cache_total", "source", "ldap", "result", "hit")
                        .orElseThrow();
                long misses = (long) scrape.value("cdp_access_source_cache_total", "source", "ldap", "result", "miss")
                        .orElseThrow();
                assertThat(hits)
                        .as("the line repeats the service's own counts, warm-up included")
                        .isPositive();
                Cli.Result up = cli.run("sources", "test", "--config", config.toString(), "--user", "olivia");
                assertThat(up.exitCode()).as(up.toString()).isZero();
                assertThat(up.out())
                        .containsPattern("ldap \\(ldap\\): found as \"?olivia\"? in \\d+ ms: .*ehr-users.*\n"
                                + "  server: up, breaker closed, cache " + (hits * 100 / (hits + misses)) + "% hits \\("
                                + hits + " hit / " + misses + " miss\\), lookups found \\d+ \\(avg \\d+\\.\\d ms\\)"
                                + " / not-found \\d+ \\(avg \\d+\\.\\d ms\\), stale 0\n")
                        .doesNotContain(TestDirectory.BIND_PASSWORD)
                        .doesNotContain(SECRET);

                directory.stop();
                clock.advance(Duration.ofMinutes(15)); // past cache.found and stale_if_error: every call asks
                for (int i = 0; i < 6; i++) {
                    assertThat(redcap.call(url, "olivia", "42", ServiceUnderTest.PROD_URL)
                                    .status())
                            .isEqualTo(503);
                }
                Cli.Result open = cli.run("sources", "test", "--config", config.toString(), "--user", "olivia");
                assertThat(open.exitCode()).as("the live lookup failed").isEqualTo(1);
                assertThat(open.out())
                        .contains("ldap (ldap): FAILED as")
                        .containsPattern("\n  server: DOWN, breaker OPEN \\(not asked\\), cache \\d+% hits .*"
                                + "lookups found \\d+ .* / breaker-open [1-9]\\d* \\(avg ")
                        .doesNotContain(TestDirectory.BIND_PASSWORD);
            }
            directory.server().startListening();
            Cli.Result none = cli.run("sources", "test", "--config", config.toString(), "--user", "olivia");
            assertThat(none.exitCode())
                    .as("no server changes nothing about the live test")
                    .isZero();
            assertThat(none.out())
                    .containsPattern("ldap \\(ldap\\): found as")
                    .contains("server: not running on " + address)
                    .doesNotContain("  server: ");
        }
    }

    @Test
    void overHttpsTheServerIsReadTrustingItsOwnCertificateWhateverNameItCarries() throws Exception {
        Cli cli = new Cli(clock, env());
        // The certificate names REDCap's host for the service, not the loopback address the command calls.
        String yaml =
                config("ldap://127.0.0.1:1", "10m", "ehr-users") + "tls:\n  self_signed: {hosts: [cdp.example.edu]}\n";
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE);
                ServiceUnderTest service = ServiceUnderTest.start(
                        dir, yaml.replace("ldap://127.0.0.1:1", directory.url()), env(), clock)) {
            Path config = PrivateFiles.write(
                    dir.resolve("c.yaml"),
                    yaml.replace("ldap://127.0.0.1:1", directory.url())
                            .replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + service.port()));
            Cli.Result test = cli.run("sources", "test", "--config", config.toString(), "--user", "olivia");
            assertThat(test.exitCode()).as(test.toString()).isZero();
            // Read over HTTPS (a TLS failure says so instead): the server, having answered no call
            // yet (the warm-up asks no source), reports that it looked nothing up.
            assertThat(test.out()).contains("\n  server: has not looked anything up at this source since it started");
        }
    }

    /** The call, asserting it was answered within the 2 s deadline (with room for the client). */
    private static RedcapClient.Response timed(java.util.function.Supplier<RedcapClient.Response> call) {
        long start = System.nanoTime();
        RedcapClient.Response r = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        return r;
    }

    @Test
    void theCommandLineAsksExplainsAndReplaysWithTheDirectorysFacts() throws Exception {
        Cli cli = new Cli(clock, env());
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE)) {
            Path config = PrivateFiles.write(dir.resolve("c.yaml"), config(directory.url(), "10m", "ehr-users"));

            Cli.Result test = cli.run("sources", "test", "--config", config.toString(), "--user", "Olivia");
            assertThat(test.exitCode()).as(test.toString()).isZero();
            assertThat(test.out()).containsPattern("ldap \\(ldap\\): found as \"?olivia\"? in \\d+ ms: .*ehr-users");
            assertThat(test.out())
                    .as("a configuration without a fixed port names no server to ask")
                    .contains("server: not asked: listen: 127.0.0.1:0 names no fixed port")
                    .doesNotContain("  server: ");

            Cli.Result check = cli.run(
                    "check",
                    "--config",
                    config.toString(),
                    "--user",
                    "olivia",
                    "--project-id",
                    "42",
                    "--redcap-url",
                    ServiceUnderTest.PROD_URL,
                    "--explain");
            assertThat(check.exitCode()).as(check.toString()).isZero();
            assertThat(check.out())
                    .startsWith("1")
                    .contains("reason:   ehr-user")
                    .contains("ldap.groups = [")
                    .contains("ldap: {latency_us=")
                    .contains("outcome=found");

            RedcapClient redcap = new RedcapClient();
            try (ServiceUnderTest service = ServiceUnderTest.start(dir, Files.readString(config), env(), clock)) {
                String url = service.url(SECRET);
                assertThat(redcap.userAccess(url, "olivia", 42, ServiceUnderTest.PROD_URL))
                        .isEqualTo("1");
                assertThat(redcap.userAccess(url, "nobody", 42, ServiceUnderTest.PROD_URL))
                        .isEqualTo("0");
            }
            directory.stop(); // replay reads the facts recorded then, never the directory
            clock.advance(Duration.ofHours(1));
            Path next = PrivateFiles.write(dir.resolve("next.yaml"), config(directory.url(), "10m", "no-such-group"));
            Cli.Result replay = cli.run("policy", "replay", "--config", next.toString(), "--since", "2h");
            assertThat(replay.exitCode()).as(replay.toString()).isZero();
            assertThat(replay.out()).contains("replayed 2 decisions").contains("1 would flip: 1 allow -> deny");

            Cli.Result down = cli.run("sources", "test", "--config", config.toString(), "--user", "olivia");
            assertThat(down.exitCode()).isEqualTo(1);
            assertThat(down.out()).contains("ldap (ldap): FAILED as").doesNotContain(TestDirectory.BIND_PASSWORD);
        }
    }
}
