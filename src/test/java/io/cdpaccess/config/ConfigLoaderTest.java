package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.net.IpAddresses;
import io.cdpaccess.protocol.RedcapUrl;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    private static final String PROD_SECRET = "prod-secret-0123456789abcdef";
    private static final String TEST_SECRET = "test-secret-0123456789abcdef";

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }

    private Path write(String yaml) throws IOException {
        return write("cdp-access.yaml", yaml);
    }

    private static ServiceConfig load(Path file, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(env).load(file);
    }

    private static List<String> problems(Path file, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file, env));
        assertThat(e).as("expected the configuration to be refused").isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
        return e.problems();
    }

    private static String instance(String name, String url, String secret) {
        return "  - name: " + name + "\n" + "    redcap_url: " + url + "\n" + "    secret: " + secret + "\n";
    }

    private static final String ONE_INSTANCE =
            "instances:\n" + instance("prod", "https://redcap.example.edu/", PROD_SECRET);

    @Test
    void readsEveryKey() throws Exception {
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/cert.pem"), "cert");
        Files.writeString(dir.resolve("tls/key.pem"), "key");
        Path file = write("""
                # every key
                listen: 0.0.0.0:9443
                data_dir: data
                zone: America/Chicago
                deadline: 2s
                store:
                  url: jdbc:postgresql://db.example.edu:5432/cdp
                  user: cdp
                  password: ${DB_PASSWORD}
                  pool_size: 20
                  refresh_interval: 500ms
                instances:
                  - name: prod
                    redcap_url: HTTPS://Redcap.Example.EDU:443
                    secret: ${PROD_SECRET}
                    allow_from: [10.0.0.0/8, "2001:db8::/32"]
                  - name: test
                    redcap_url: "*"
                    secret: %s
                trusted_proxies:
                  - 192.168.1.10
                  - 192.168.2.0/24
                tls:
                  certificate: tls/cert.pem
                  private_key: tls/key.pem
                auth_failures:
                  limit: 5
                  window: 30s
                  max_delay: 2s
                metrics:
                  enabled: false
                  allow_from: [10.1.2.3, "2001:db8::5/128"]
                """.formatted(CallerSecret.hashed(TEST_SECRET)));

        ServiceConfig c = load(file, Map.of("DB_PASSWORD", "db-pass", "PROD_SECRET", PROD_SECRET));

        assertThat(c.source()).isEqualTo(file);
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 9443));
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.zone()).isEqualTo(ZoneId.of("America/Chicago"));
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.store().url()).isEqualTo("jdbc:postgresql://db.example.edu:5432/cdp");
        assertThat(c.store().user()).isEqualTo("cdp");
        assertThat(c.store().password().reveal()).isEqualTo("db-pass");
        assertThat(c.store().poolSize()).isEqualTo(20);
        assertThat(c.store().refreshInterval()).isEqualTo(Duration.ofMillis(500));

        assertThat(c.instanceNames()).isEqualTo("prod, test");
        InstanceConfig prod = c.instance("prod").orElseThrow();
        assertThat(prod.redcapUrl()).contains(RedcapUrl.parse("https://redcap.example.edu/"));
        assertThat(prod.secret().matches(PROD_SECRET)).isTrue();
        assertThat(prod.secret().plainText()).contains(PROD_SECRET);
        assertThat(prod.allowFrom()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
        InstanceConfig test = c.instance("test").orElseThrow();
        assertThat(test.redcapUrl()).isEmpty();
        assertThat(test.answersFor(RedcapUrl.parse("https://anything.example.org/")))
                .isTrue();
        assertThat(test.secret().matches(TEST_SECRET)).isTrue();
        assertThat(test.secret().plainText()).isEmpty();
        assertThat(test.allowFrom()).isEmpty();

        assertThat(c.trustedProxies()).containsExactly(Cidr.parse("192.168.1.10/32"), Cidr.parse("192.168.2.0/24"));
        TlsConfig tls = c.tls().orElseThrow();
        assertThat(tls.certificate()).contains(dir.resolve("tls/cert.pem"));
        assertThat(tls.privateKey()).contains(dir.resolve("tls/key.pem"));
        assertThat(tls.keystore()).isEmpty();
        assertThat(c.authFailures()).isEqualTo(new AuthFailureLimit(5, Duration.ofSeconds(30), Duration.ofSeconds(2)));
        assertThat(c.metrics())
                .isEqualTo(new MetricsConfig(false, List.of(Cidr.parse("10.1.2.3/32"), Cidr.parse("2001:db8::5/128"))));
    }

    @Test
    void defaultsWhenOnlyInstancesAreGiven() throws Exception {
        ServiceConfig c = load(write(ONE_INSTANCE), Map.of());
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.dataDir()).isEqualTo(dir.resolve("cdp-access-data"));
        assertThat(c.zone()).isEqualTo(ZoneId.systemDefault());
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.store().url()).isEqualTo(StoreConfig.embeddedUrl(dir.resolve("cdp-access-data")));
        assertThat(c.store().user()).isEmpty();
        assertThat(c.store().password().isEmpty()).isTrue();
        assertThat(c.store().poolSize()).isEqualTo(10);
        assertThat(c.store().refreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.tls()).isEmpty();
        assertThat(c.authFailures()).isEqualTo(AuthFailureLimit.DEFAULT);
        assertThat(c.instance("prod").orElseThrow().allowFrom()).isEmpty();
        assertThat(c.metrics().enabled()).isTrue();
        assertThat(c.metrics().allowFrom()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedAsSuch() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(
                file,
                (ONE_INSTANCE + "zone: \"M\u00fcnchen\"\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file, Map.of()));
        assertThat(e.problems()).containsExactly(file + ": not UTF-8 text; save the file as UTF-8");
        assertThat(e.unreadable()).isFalse(); // its content is wrong, not its path or permissions
        ConfigException missing =
                catchThrowableOfType(ConfigException.class, () -> load(dir.resolve("nope.yaml"), Map.of()));
        assertThat(missing.unreadable()).isTrue();
    }

    @Test
    void metricsWithoutAllowFromStayLoopbackOnly() throws Exception {
        ServiceConfig c = load(write(ONE_INSTANCE + "metrics:\n  enabled: true\n"), Map.of());
        assertThat(c.metrics()).isEqualTo(MetricsConfig.DEFAULT);
        assertThat(Cidr.anyContains(c.metrics().allowFrom(), InetAddress.getByName("127.0.0.9")))
                .isTrue();
        assertThat(Cidr.anyContains(c.metrics().allowFrom(), InetAddress.getByName("::1")))
                .isTrue();
        assertThat(Cidr.anyContains(c.metrics().allowFrom(), InetAddress.getByName("10.0.0.1")))
                .isFalse();
    }

    @Test
    void metricsSettingsAreValidatedWithTheirLines() throws Exception {
        Path file = write(ONE_INSTANCE + """
                metrics:
                  enabled: yes please
                  allow_from:
                    - 10.0.0.0/8
                    - 10.0.0.0/33
                  allow_form: [10.0.0.0/8]
                """);
        assertThat(problems(file, Map.of()))
                .containsExactly(
                        file + ":10: metrics.allow_form: unknown key; expected one of allow_from, enabled",
                        file + ":6: metrics.enabled: expected true or false",
                        file + ":9: metrics.allow_from[1]: prefix length 33 is more than 32 in 10.0.0.0/33");
        Path empty = write("e.yaml", ONE_INSTANCE + "metrics:\n  allow_from: []\n");
        assertThat(problems(empty, Map.of()))
                .containsExactly(empty + ":6: metrics.allow_from: is empty; list the "
                        + "networks of your Prometheus server (e.g. [10.0.0.5/32]), or set metrics.enabled: false");
        Path notAList = write("n.yaml", ONE_INSTANCE + "metrics:\n  allow_from: 10.0.0.0/8\n");
        assertThat(problems(notAList, Map.of()))
                .singleElement()
                .asString()
                .startsWith(notAList + ":6: metrics.allow_from: expected a list");
    }

    @Test
    void readsAKeystore() throws Exception {
        Files.writeString(dir.resolve("keystore.p12"), "not really");
        Path file = write(ONE_INSTANCE + """
                tls:
                  keystore: keystore.p12
                  keystore_password: ${KS_PASSWORD:-changeit}
                """);
        TlsConfig tls = load(file, Map.of()).tls().orElseThrow();
        assertThat(tls.keystore()).contains(dir.resolve("keystore.p12"));
        assertThat(tls.keystorePassword().reveal()).isEqualTo("changeit");
        assertThat(tls.certificate()).isEmpty();
        assertThat(tls.keystorePassword().toString()).doesNotContain("changeit");
    }

    @Test
    void relativePathsResolveAgainstTheConfigFilesDirectory() throws Exception {
        Files.createDirectories(dir.resolve("etc/certs"));
        Files.writeString(dir.resolve("etc/certs/c.pem"), "c");
        Files.writeString(dir.resolve("etc/certs/k.pem"), "k");
        Path file = write("etc/cdp-access.yaml", ONE_INSTANCE + """
                data_dir: ../var/data
                tls:
                  certificate: certs/c.pem
                  private_key: ./certs/k.pem
                """);
        ServiceConfig c = load(file, Map.of());
        assertThat(c.dataDir()).isEqualTo(dir.resolve("var/data"));
        assertThat(c.store().url()).contains(dir.resolve("var/data/store").toString());
        assertThat(c.tls().orElseThrow().certificate()).contains(dir.resolve("etc/certs/c.pem"));
        assertThat(c.tls().orElseThrow().privateKey()).contains(dir.resolve("etc/certs/k.pem"));

        ServiceConfig defaults = load(write("etc/other.yaml", ONE_INSTANCE), Map.of());
        assertThat(defaults.dataDir()).isEqualTo(dir.resolve("etc/cdp-access-data"));
    }

    // ---- ${...} substitution ----

    @Test
    void substitutesEnvironmentVariables() throws Exception {
        Path file = write("""
                listen: ${HOST}:${PORT:-8081}
                store:
                  user: ${DB_USER:-cdp}
                  password: pa$$word-$${NOT_A_VAR}-$
                instances:
                  - name: ${NAME}
                    redcap_url: https://${REDCAP_HOST}/
                    secret: ${SECRET}
                """);
        ServiceConfig c = load(
                file,
                Map.of(
                        "HOST",
                        "10.0.0.5",
                        "NAME",
                        "prod",
                        "REDCAP_HOST",
                        "Redcap.Example.EDU",
                        "SECRET",
                        PROD_SECRET,
                        "DB_USER",
                        "svc"));
        assertThat(c.listen()).isEqualTo(new HostPort("10.0.0.5", 8081));
        assertThat(c.store().user()).isEqualTo("svc");
        assertThat(c.store().password().reveal()).isEqualTo("pa$word-${NOT_A_VAR}-$");
        assertThat(c.instance("prod").orElseThrow().redcapUrl())
                .contains(RedcapUrl.parse("https://redcap.example.edu/"));
    }

    @Test
    void aValueFromTheEnvironmentIsNotSubstitutedAgain() throws Exception {
        Path file = write(ONE_INSTANCE + "store:\n  password: ${P}\n");
        assertThat(load(file, Map.of("P", "${OTHER}$$")).store().password().reveal())
                .isEqualTo("${OTHER}$$");
    }

    @Test
    void defaultAlsoReplacesAVariableSetToEmpty() throws Exception {
        // As in the shell and Docker Compose: ${NAME:-default} is the default when NAME is unset or "".
        Path file = write(ONE_INSTANCE + "listen: ${LISTEN:-127.0.0.1:9090}\n");
        assertThat(load(file, Map.of("LISTEN", "")).listen()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(load(file, Map.of()).listen()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(load(file, Map.of("LISTEN", "[::1]:1")).listen()).isEqualTo(new HostPort("::1", 1));
    }

    @Test
    void missingEnvironmentVariableNamesFileLineAndKey() throws Exception {
        Path file = write("""
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: ${PROD_SECRET}
                """);
        assertThat(problems(file, Map.of()))
                .containsExactly(file + ":4: instances[0].secret: environment variable "
                        + "PROD_SECRET is not set (write ${PROD_SECRET:-default} to give a default)");
    }

    @Test
    void aBadValueFromTheEnvironmentIsReportedByTheVariablesNameNeverItsValue() throws Exception {
        Path file = write("""
                listen: ${LISTEN}
                trusted_proxies: ["${PROXY}"]
                tls:
                  certificate: certs/${CERT_NAME}.pem
                  private_key: ${KEY_FILE}
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: ${PROD_SECRET}
                """);
        Map<String, String> env = Map.of(
                "LISTEN", "127.0.0.1:hunter2",
                // not digits: the temporary directory's random name in every message may hold any
                "PROXY", "10.0.0.0/seventy",
                "CERT_NAME", "s3cret-Name",
                "KEY_FILE", "/nonexistent/very-Private-Key.pem",
                "PROD_SECRET", "short!");

        List<String> problems = problems(file, env);

        assertThat(problems)
                .anySatisfy(p -> assertThat(p).contains(":1: listen").contains("${LISTEN}"))
                .anySatisfy(p -> assertThat(p).contains("trusted_proxies[0]").contains("${PROXY}"))
                .anySatisfy(p -> assertThat(p).contains("tls.certificate").contains("${CERT_NAME}"))
                .anySatisfy(p -> assertThat(p).contains("tls.private_key").contains("${KEY_FILE}"))
                .anySatisfy(p -> assertThat(p).contains("instances[0].secret"));
        for (String value : env.values()) {
            assertThat(String.join("\n", problems)).doesNotContain(value);
        }
        assertThat(String.join("\n", problems))
                .doesNotContain("hunter2", "seventy", "s3cret", "Private")
                .contains(
                        "file not found: " + dir.resolve("certs") + "/${CERT_NAME}.pem"); // the file's part still helps
    }

    // ---- problems, with their lines ----

    @Test
    void misspeltKeyIsAnErrorNamingItsLine() throws Exception {
        Path file = write("""
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                    alow_from: [10.0.0.0/8]
                """.formatted(PROD_SECRET));
        assertThat(problems(file, Map.of()))
                .containsExactly(file + ":5: instances[0].alow_from: unknown key; "
                        + "expected one of allow_from, name, redcap_url, secret");
    }

    @Test
    void unknownTopLevelKeyIsAnError() throws Exception {
        Path file = write(ONE_INSTANCE + "listen_address: 0.0.0.0:80\n");
        assertThat(problems(file, Map.of()))
                .singleElement()
                .asString()
                .startsWith(file + ":5: listen_address: unknown key; expected one of ");
    }

    @Test
    void duplicateKeyIsAnErrorNamingItsLine() throws Exception {
        // A repeated key must not silently replace the first: here it would drop the allowlist.
        Path file = write("""
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                    allow_from: [10.0.0.0/8]
                    allow_from: []
                """.formatted(PROD_SECRET));
        assertThat(problems(file, Map.of()))
                .containsExactly(file + ":6: instances[0].allow_from: is given twice; keep one");
    }

    @Test
    void duplicateTopLevelKeyIsAnError() throws Exception {
        Path file = write("listen: 127.0.0.1:8080\n" + ONE_INSTANCE + "listen: 0.0.0.0:8080\n");
        assertThat(problems(file, Map.of())).containsExactly(file + ":6: listen: is given twice; keep one");
    }

    @Test
    void duplicateInstanceNamesAreRefused() throws Exception {
        Path file = write("instances:\n"
                + instance("prod", "https://a.example.edu/", PROD_SECRET)
                + instance("prod", "https://b.example.edu/", TEST_SECRET));
        assertThat(problems(file, Map.of()))
                .containsExactly(file + ":5: instances[1].name: instance name 'prod' is used twice");
    }

    @Test
    void twoInstancesWithTheSameSecretAreRefused() throws Exception {
        Path file = write("instances:\n"
                + instance("prod", "https://a.example.edu/", PROD_SECRET)
                + instance("test", "https://b.example.edu/", PROD_SECRET));
        assertThat(problems(file, Map.of()))
                .containsExactly(file + ":7: instances[1].secret: same secret as "
                        + "instance 'prod'; each REDCap installation needs its own secret");
    }

    @Test
    void aPlainSecretAndItsHashAreTheSameSecret() throws Exception {
        Path file = write("instances:\n"
                + instance("prod", "https://a.example.edu/", CallerSecret.hashed(PROD_SECRET))
                + instance("test", "https://b.example.edu/", PROD_SECRET));
        assertThat(problems(file, Map.of()))
                .singleElement()
                .asString()
                .startsWith(file + ":7: instances[1].secret: same secret as instance 'prod'");
    }

    @Test
    void shortPlainSecretIsRefused() throws Exception {
        Path file = write("instances:\n" + instance("prod", "https://a.example.edu/", "short-secret"));
        assertThat(problems(file, Map.of()))
                .singleElement()
                .asString()
                .startsWith(file + ":4: instances[0].secret: secret is too easy to guess: 12 characters");
    }

    @Test
    void instancesAreRequired() throws Exception {
        Path missing = write("listen: 127.0.0.1:8080\n");
        assertThat(problems(missing, Map.of()))
                .singleElement()
                .asString()
                .startsWith(missing + ":1: instances: at least one REDCap instance is required");
        Path empty = write("other.yaml", "listen: 127.0.0.1:8080\ninstances: []\n");
        assertThat(problems(empty, Map.of()))
                .singleElement()
                .asString()
                .startsWith(empty + ":2: instances: at least one REDCap instance is required");
        Path notAList = write("third.yaml", "instances: prod\n");
        assertThat(problems(notAList, Map.of()))
                .singleElement()
                .asString()
                .isEqualTo(notAList + ":1: instances: expected a list of instances");
    }

    @Test
    void everyInstanceKeyButAllowFromIsRequired() throws Exception {
        Path file = write("instances:\n  - allow_from: [10.0.0.0/8]\n");
        assertThat(problems(file, Map.of()))
                .containsExactly(
                        file + ":2: instances[0].name: is required",
                        file + ":2: instances[0].redcap_url: is required",
                        file + ":2: instances[0].secret: is required");
    }

    @Test
    void starMeansAnyRedcapUrlAndABadUrlIsRefused() throws Exception {
        Path star = write("instances:\n" + instance("prod", "\"*\"", PROD_SECRET));
        assertThat(load(star, Map.of()).instance("prod").orElseThrow().redcapUrl())
                .isEqualTo(Optional.empty());
        Path bad = write("bad.yaml", "instances:\n" + instance("prod", "redcap.example.edu", PROD_SECRET));
        assertThat(problems(bad, Map.of()))
                .containsExactly(bad + ":3: instances[0].redcap_url: REDCap URL must start with http:// or https://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "example.com", "10.0.0.0/", "2001:db8::/129", "localhost"})
    void badCidrIsRefusedWithItsLine(String cidr) throws Exception {
        Path file = write(ONE_INSTANCE + "    allow_from:\n      - 10.0.0.0/8\n      - \"" + cidr + "\"\n");
        assertThat(problems(file, Map.of()))
                .singleElement()
                .asString()
                .startsWith(file + ":7: instances[0].allow_from[1]: ");
        Path proxies = write("p.yaml", ONE_INSTANCE + "trusted_proxies: [\"" + cidr + "\"]\n");
        assertThat(problems(proxies, Map.of()))
                .singleElement()
                .asString()
                .startsWith(proxies + ":5: trusted_proxies[0]: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8080", "localhost", "::1:8080", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1"})
    void badListenIsRefused(String listen) throws Exception {
        Path file = write("listen: \"" + listen + "\"\n" + ONE_INSTANCE);
        assertThat(problems(file, Map.of())).singleElement().asString().startsWith(file + ":1: listen: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 seconds", "5", "1.5s", "-1s", "s", "1w"})
    void badDurationIsRefused(String duration) throws Exception {
        Path file = write(ONE_INSTANCE + "auth_failures:\n  window: \"" + duration + "\"\n");
        assertThat(problems(file, Map.of()))
                .containsExactly(
                        file + ":6: auth_failures.window: " + "expected a duration such as 500ms, 5s, 10m, 2h or 30d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99ms", "26s", "1m", "0s"})
    void deadlineOutOfRangeIsRefused(String deadline) throws Exception {
        Path file = write("deadline: " + deadline + "\n" + ONE_INSTANCE);
        assertThat(problems(file, Map.of())).containsExactly(file + ":1: deadline: must be between 100ms and 25s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"100ms", "25s", "5s"})
    void deadlineAtTheLimitsIsAccepted(String deadline) throws Exception {
        assertThat(load(write("deadline: " + deadline + "\n" + ONE_INSTANCE), Map.of())
                        .deadline())
                .isEqualTo(Durations.parse(deadline));
    }

    @Test
    void otherValuesAreValidated() throws Exception {
        Path file = write(ONE_INSTANCE + """
                zone: Mars/Olympus_Mons
                store:
                  url: jdbc:oracle:thin:@db
                  pool_size: 1
                  refresh_interval: 20m
                auth_failures:
                  limit: many
                """);
        assertThat(problems(file, Map.of()))
                .containsExactly(
                        file + ":5: zone: unknown time zone; use a name such as America/Chicago or UTC",
                        file + ":7: store.url: supported databases: jdbc:sqlite:, jdbc:postgresql:, jdbc:mariadb:",
                        file + ":8: store.pool_size: must be between 2 and 200",
                        file + ":9: store.refresh_interval: must be between 50ms and 10m",
                        file + ":11: auth_failures.limit: expected a whole number");
    }

    @Test
    void tlsNeedsEitherAKeystoreOrACompletePemPair() throws Exception {
        Files.writeString(dir.resolve("k.p12"), "k");
        Files.writeString(dir.resolve("c.pem"), "c");
        Path both = write(ONE_INSTANCE + "tls:\n  keystore: k.p12\n  certificate: c.pem\n");
        assertThat(problems(both, Map.of()))
                .singleElement()
                .asString()
                .startsWith(both + ":6: tls: give exactly one of keystore (PKCS#12), certificate and private_key (PEM),"
                        + " or self_signed: {hosts: [...]}");
        Path half = write("half.yaml", ONE_INSTANCE + "tls:\n  certificate: c.pem\n");
        assertThat(problems(half, Map.of()))
                .containsExactly(half + ":6: tls: PEM needs both certificate and private_key");
        Path missing = write("missing.yaml", ONE_INSTANCE + "tls:\n  keystore: nowhere.p12\n");
        assertThat(problems(missing, Map.of()))
                .containsExactly(missing + ":6: tls.keystore: file not found: " + dir.resolve("nowhere.p12"));
    }

    @Test
    void selfSignedNamesItsHostsAndKeepsTheCertificateInTheDataDirectory() throws Exception {
        Path file = write(ONE_INSTANCE + """
                data_dir: ./var
                tls:
                  self_signed:
                    hosts: [CDP.Example.EDU., 10.0.0.5, "::1", cdp.example.edu]
                """);
        TlsConfig tls = load(file, Map.of()).tls().orElseThrow();

        assertThat(tls.selfSigned().orElseThrow().hosts())
                .containsExactly("cdp.example.edu", "10.0.0.5", "0:0:0:0:0:0:0:1");
        assertThat(tls.selfSigned().orElseThrow().directory()).isEqualTo(dir.resolve("var/tls"));
        assertThat(tls.keystore()).isEmpty();
        assertThat(tls.certificate()).isEmpty();
    }

    @Test
    void selfSignedIsOneLineOfProblemWhenCombinedWithFilesOrWithoutHosts() throws Exception {
        Files.writeString(dir.resolve("k.p12"), "k");
        Path both = write(ONE_INSTANCE + "tls:\n  keystore: k.p12\n  self_signed: {hosts: [localhost]}\n");
        assertThat(problems(both, Map.of()))
                .containsExactly(both + ":6: tls: give exactly one of keystore (PKCS#12), certificate and"
                        + " private_key (PEM), or self_signed: {hosts: [...]}");
        Path none = write("none.yaml", ONE_INSTANCE + "tls:\n  self_signed: {hosts: []}\n");
        assertThat(problems(none, Map.of()))
                .singleElement()
                .asString()
                .startsWith(
                        none + ":6: tls.self_signed.hosts: list the host names or IP addresses REDCap's URL will use");
        Path bad = write(
                "bad.yaml", ONE_INSTANCE + "tls:\n  self_signed:\n    hosts: [\"redcap .example.edu\", 300.1.1.1]\n");
        assertThat(problems(bad, Map.of()))
                .containsExactly(
                        bad + ":7: tls.self_signed.hosts[0]: 'redcap .example.edu' is neither a DNS name"
                                + " (letters, digits, '-', dots) nor an IP address",
                        bad + ":7: tls.self_signed.hosts[1]: not an IP address: 300.1.1.1");
    }

    @Test
    void aPrivateKeyPasswordIsASecretForThePemKeyOnly() throws Exception {
        Files.writeString(dir.resolve("c.pem"), "c");
        Files.writeString(dir.resolve("k.pem"), "k");
        Files.writeString(dir.resolve("k.p12"), "k");
        Path file = write(ONE_INSTANCE + """
                tls:
                  certificate: c.pem
                  private_key: k.pem
                  private_key_password: ${KEY_PASSWORD}
                """);
        TlsConfig tls = load(file, Map.of("KEY_PASSWORD", "key-pass")).tls().orElseThrow();
        assertThat(tls.privateKeyPassword().reveal()).isEqualTo("key-pass");
        assertThat(tls.privateKeyPassword().toString()).doesNotContain("key-pass");

        Path keystore = write("ks.yaml", ONE_INSTANCE + "tls:\n  keystore: k.p12\n  private_key_password: x\n");
        assertThat(problems(keystore, Map.of()))
                .containsExactly(keystore + ":7: tls.private_key_password: unlocks tls.private_key only;"
                        + " for a keystore use tls.keystore_password");
    }

    @Test
    void reportsEveryProblemAtOnceInFileOrder() throws Exception {
        Path file = write("""
                listen: nowhere
                deadline: forever
                instances:
                  - name: Prod!
                    redcap_url: https://redcap.example.edu/
                    secret: tooshort
                    allow_from: [10.0.0.0/99]
                  - name: test
                    redcap_url: ftp://redcap.example.edu/
                    secret: %s
                """.formatted(TEST_SECRET));
        List<String> problems = problems(file, Map.of());
        assertThat(problems).hasSize(6);
        assertThat(problems)
                .extracting(p -> {
                    String[] parts = p.substring(file.toString().length() + 1).split(": ", 3);
                    return ":" + parts[0] + ": " + parts[1];
                })
                .containsExactly(
                        ":1: listen",
                        ":2: deadline",
                        ":4: instances[0].name",
                        ":6: instances[0].secret",
                        ":7: instances[0].allow_from[0]",
                        ":9: instances[1].redcap_url");
        assertThat(problems)
                .allSatisfy(p -> assertThat(p)
                        .matches("\\Q" + file + "\\E:\\d+: [a-z_\\[\\]0-9.]+: .+")
                        .doesNotContain("\n"));
    }

    @Test
    void problemsNeverContainASecret() throws Exception {
        String spaced = "this secret has spaces in it";
        String envSecret = "from-the-environment-0123456789";
        String hashed = CallerSecret.hashed(TEST_SECRET);
        Path file = write("""
                store:
                  password: [db-password-value]
                instances:
                  - name: a
                    redcap_url: https://a.example.edu/
                    secret: tiny-secret
                  - name: b
                    redcap_url: https://b.example.edu/
                    secret: "%s"
                  - name: c
                    redcap_url: https://c.example.edu/
                    secret: %s
                  - name: d
                    redcap_url: https://d.example.edu/
                    secret: %s
                  - name: e
                    redcap_url: https://e.example.edu/
                    secret: ${ENV_SECRET}
                  - name: f
                    redcap_url: https://f.example.edu/
                    secret: ${ENV_SECRET}
                  - name: g
                    redcap_url: https://g.example.edu/
                    secret: sha256:%s
                    secrte: misplaced-secret-0123456789-XYZ
                """.formatted(spaced, TEST_SECRET, hashed, "ab".repeat(31) + "a"));
        ConfigException e =
                catchThrowableOfType(ConfigException.class, () -> load(file, Map.of("ENV_SECRET", envSecret)));
        assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(6);
        for (String secret : List.of(
                "db-password-value",
                "tiny-secret",
                spaced,
                TEST_SECRET,
                hashed,
                hashed.substring("sha256:".length()),
                envSecret,
                "ab".repeat(31),
                "misplaced-secret")) {
            assertThat(e.getMessage()).doesNotContain(secret);
            assertThat(e.problems()).noneMatch(p -> p.contains(secret));
        }
    }

    // ---- files that are not configuration ----

    @Test
    void missingFileIsOneLine() {
        Path nowhere = dir.resolve("nowhere.yaml");
        assertThat(problems(nowhere, Map.of())).containsExactly(nowhere + ": file not found");
    }

    @Test
    void emptyFileIsRefused() throws Exception {
        Path file = write("# nothing here\n");
        assertThat(problems(file, Map.of())).singleElement().asString().contains("the file is empty");
    }

    @Test
    void invalidYamlNamesItsLine() throws Exception {
        Path file = write(ONE_INSTANCE + "listen: [unclosed\n");
        assertThat(problems(file, Map.of()))
                .singleElement()
                .asString()
                .startsWith(file + ":")
                .contains("not valid YAML");
        Path tabs = write("tabs.yaml", "instances:\n\t- name: prod\n");
        assertThat(problems(tabs, Map.of())).singleElement().asString().startsWith(tabs + ":2: not valid YAML");
    }

    @Test
    void topLevelMustBeAMapping() throws Exception {
        Path file = write("- listen: 1\n");
        assertThat(problems(file, Map.of()))
                .first()
                .asString()
                .isEqualTo(file + ":1: (top level): expected a mapping of keys to values");
    }

    @Test
    void yamlTypesDoNotLeakIn() throws Exception {
        // YAML 1.1 would read 1:20 as the number 80 and yes as true; values are taken as written.
        Path file = write(ONE_INSTANCE + "store:\n  user: yes\n  password: 1:20\n");
        ServiceConfig c = load(file, Map.of());
        assertThat(c.store().user()).isEqualTo("yes");
        assertThat(c.store().password().reveal()).isEqualTo("1:20");
    }

    @Test
    void allowFromAddressesAreUsable() throws Exception {
        Path file = write(ONE_INSTANCE + "    allow_from: [10.1.0.0/16, \"::1\"]\n");
        InstanceConfig prod = load(file, Map.of()).instance("prod").orElseThrow();
        assertThat(prod.allowFrom()).anyMatch(c -> c.contains(addr("10.1.200.3")));
        assertThat(prod.allowFrom()).anyMatch(c -> c.contains(addr("::1")));
        assertThat(prod.allowFrom()).noneMatch(c -> c.contains(addr("10.2.0.1")));
    }

    @Test
    void nullValueIsAnError() throws Exception {
        Path file = write(ONE_INSTANCE + "listen:\n");
        assertThat(problems(file, Map.of())).containsExactly(file + ":5: listen: has no value");
    }

    @Test
    void loaderRefusesToWorkWithAMissingFileEvenIfRelative() {
        assertThatThrownBy(
                        () -> new ConfigLoader(Map.of()).load(Path.of("does-not-exist-" + System.nanoTime() + ".yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(": file not found");
    }

    private static InetAddress addr(String literal) {
        return IpAddresses.parseLiteral(literal);
    }
}
