package io.cdpaccess.source.ldap;

import static io.cdpaccess.source.ldap.DirectoryTrees.OL_BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.Secret;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.PausableTcpProxy;
import io.cdpaccess.testing.SelfSignedCertificate;
import io.cdpaccess.testing.TestDirectory;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the {@code ldap} source reaches its directory: binding, failing over, TLS, and giving up
 * in time when the directory is down or hangs. Each test starts its own in-memory directory.
 */
class LdapConnectionTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    /** Generous on a shared two-core machine: what matters is that a lookup gives up, not to the millisecond. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @TempDir
    static Path certificates;

    /** For localhost, and one whose names are another host's (keytool is slow: made once each). */
    private static SelfSignedCertificate cert;

    private static SelfSignedCertificate otherHost;

    @BeforeAll
    static void makeCertificates() throws Exception {
        cert = SelfSignedCertificate.create(certificates.resolve("localhost"), "EC");
        // CN=localhost, but subject alternative names that do not name it
        otherHost = SelfSignedCertificate.create(certificates.resolve("other-host"), "EC", "dns:other.example");
    }

    private static TestDirectory directory() throws Exception {
        return TestDirectory.start(DirectoryTrees.OPENLDAP, OL_BASE);
    }

    private static SourceKey olivia() {
        return new SourceKey("olivia", "olivia", 1, "main", Optional.empty(), NOW);
    }

    private static SourceClient open(LdapConfigs config) throws SourceException {
        return new LdapSource().open(config.source(), Clock.systemUTC());
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aWrongBindPasswordIsAnErrorThatNamesNoPassword() throws Exception {
        try (TestDirectory d = directory()) {
            LdapConfigs config = LdapConfigs.openLdap(d.url());
            config.bindPassword = Secret.of("wrong-password-91c2");

            try (SourceClient client = open(config)) {
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessage("ldap source 'ldap' was refused the bind by " + d.url()
                                + " (invalid credentials); check bind_dn and bind_password")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password-91c2"));
            }
        }
    }

    @Test
    void withoutABindSearchesAreAnonymousAndThisDirectoryRefusesThem() throws Exception {
        try (TestDirectory d = directory()) {
            LdapConfigs config = LdapConfigs.openLdap(d.url());
            config.bindDn = Optional.empty();
            config.bindPassword = Secret.none();

            try (SourceClient client = open(config)) {
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessageContaining("may not read what it needs while searching ou=people," + OL_BASE);
            }
        }
    }

    @Test
    void settingsThatCannotWorkFailOpenWithOneLine() {
        LdapConfigs noPassword = LdapConfigs.openLdap("ldap://127.0.0.1:1");
        noPassword.bindPassword = Secret.none();
        LdapConfigs badFilter = LdapConfigs.openLdap("ldap://127.0.0.1:1");
        badFilter.userFilter = "(uid={user}";
        LdapConfigs badBase = LdapConfigs.openLdap("ldap://127.0.0.1:1");
        badBase.userBase = "not a dn";
        LdapConfigs adWithoutBase = LdapConfigs.ad("ldap://127.0.0.1:1");
        adWithoutBase.groupBase = Optional.empty();
        LdapConfigs badUrl = LdapConfigs.openLdap("ldap://[bad");

        assertThatThrownBy(() -> open(noPassword))
                .hasMessage("ldap source 'ldap': bind_dn needs bind_password (an empty one would bind anonymously)");
        assertThatThrownBy(() -> open(badFilter))
                .hasMessageStartingWith("ldap source 'ldap': user_filter is not an LDAP filter");
        assertThatThrownBy(() -> open(badBase))
                .hasMessage("ldap source 'ldap': not a dn is not a DN; e.g. ou=people,dc=example,dc=edu");
        assertThatThrownBy(() -> open(adWithoutBase)).hasMessage("ldap source 'ldap': groups: ad needs group_base");
        assertThatThrownBy(() -> open(badUrl)).hasMessageContaining("url ldap://[bad is not an LDAP URL");
    }

    @Test
    void aDirectoryDownAtStartFailsLookupsNotTheStartAndIsUsedOnceItIsUp() throws Exception {
        try (TestDirectory d = directory();
                PausableTcpProxy proxy = new PausableTcpProxy(d.port())) {
            proxy.cut();
            LdapConfigs config = LdapConfigs.openLdap("ldap://127.0.0.1:" + proxy.port());
            try (SourceClient client = open(config)) {
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessageStartingWith(
                                "ldap source 'ldap' cannot reach the directory at ldap://127.0.0.1:" + proxy.port())
                        .hasMessageEndingWith("; check url, the network and that the directory is up");

                proxy.restore();
                assertThat(client.lookup(olivia()).found()).isTrue();
            }
        }
    }

    @Test
    void failsOverToTheSecondUrlWhenTheFirstRefuses() throws Exception {
        try (TestDirectory d = directory()) {
            LdapConfigs config = LdapConfigs.openLdap("ldap://127.0.0.1:" + closedPort());
            config.urls = List.of(config.urls.get(0), d.url());

            try (SourceClient client = open(config)) {
                assertThat(client.lookup(olivia()).found()).isTrue();
            }
        }
    }

    @Test
    void aDirectoryThatStopsMidRunIsFailedOverFromOnTheNextLookup() throws Exception {
        try (TestDirectory first = directory();
                TestDirectory second = directory()) {
            LdapConfigs config = LdapConfigs.openLdap(first.url());
            config.urls = List.of(first.url(), second.url());
            try (SourceClient client = open(config)) {
                assertThat(client.lookup(olivia()).found()).isTrue(); // a kept connection to the first
                first.stop();

                assertThat(client.lookup(olivia()).found()).isTrue();
            }
        }
    }

    @Test
    void aDirectoryThatStopsFailsTheLookupWellWithinTheTimeout() throws Exception {
        try (TestDirectory d = directory()) {
            LdapConfigs config = LdapConfigs.openLdap(d.url());
            config.timeout = Duration.ofSeconds(3);
            try (SourceClient client = open(config)) {
                client.lookup(olivia());
                String url = d.url();
                d.stop();

                long start = System.nanoTime();
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessageContaining("cannot reach the directory at " + url);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(config.timeout);
            }
        }
    }

    @Test
    void aDirectoryThatHangsFailsTheLookupWithinTheTimeout() throws Exception {
        try (TestDirectory d = directory();
                PausableTcpProxy proxy = new PausableTcpProxy(d.port())) {
            LdapConfigs config = LdapConfigs.openLdap("ldap://127.0.0.1:" + proxy.port());
            config.timeout = Duration.ofMillis(600);
            try (SourceClient kept = open(config);
                    SourceClient fresh = open(config)) {
                kept.lookup(olivia()); // leaves a bound connection in its pool
                proxy.freeze();

                for (SourceClient client : List.of(kept, fresh)) { // hangs in the search; in the bind
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> client.lookup(olivia()))
                            .isInstanceOf(SourceException.class)
                            .hasMessageStartingWith("ldap source 'ldap' got no answer from ldap://127.0.0.1:"
                                    + proxy.port() + " within 600ms while ")
                            .hasMessageEndingWith("; check that the directory is up, or raise the source's timeout");
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(took)
                            .isGreaterThanOrEqualTo(Duration.ofMillis(500))
                            .isLessThan(config.timeout.plus(SLACK));
                }
                proxy.restore();
            }
        }
    }

    @Test
    void startTlsWithThePemCertificateOfTheDirectoryAsTrustStore() throws Exception {
        try (TestDirectory d = TestDirectory.start(
                DirectoryTrees.OPENLDAP, List.of(), TestDirectory.Listener.START_TLS, Optional.of(cert), OL_BASE)) {
            LdapConfigs config = LdapConfigs.openLdap(d.url("ldap", "localhost"));
            config.startTls = true;
            config.trustStore = Optional.of(cert.certificatePem());

            try (SourceClient client = open(config)) {
                assertThat(client.lookup(olivia()).found()).isTrue();
            }
        }
    }

    @Test
    void ldapsWithAPkcs12TrustStore() throws Exception {
        Path trust = pkcs12TrustStore(cert, "trust-pass");
        try (TestDirectory d = TestDirectory.start(
                DirectoryTrees.OPENLDAP, List.of(), TestDirectory.Listener.LDAPS, Optional.of(cert), OL_BASE)) {
            LdapConfigs config = LdapConfigs.openLdap(d.url("ldaps", "localhost"));
            config.trustStore = Optional.of(trust);
            config.trustStorePassword = Secret.of("trust-pass");

            try (SourceClient client = open(config)) {
                assertThat(client.lookup(olivia()).found()).isTrue();
            }
        }
    }

    @Test
    void aCertificateTheTrustStoreDoesNotVouchForIsRefused() throws Exception {
        try (TestDirectory d = TestDirectory.start(
                DirectoryTrees.OPENLDAP, List.of(), TestDirectory.Listener.LDAPS, Optional.of(cert), OL_BASE)) {
            LdapConfigs jvmDefaults = LdapConfigs.openLdap(d.url("ldaps", "localhost"));
            LdapConfigs wrongCa = LdapConfigs.openLdap(d.url("ldaps", "localhost"));
            wrongCa.trustStore = Optional.of(otherHost.certificatePem()); // vouches for itself only

            for (LdapConfigs config : List.of(jvmDefaults, wrongCa)) {
                try (SourceClient client = open(config)) {
                    assertThatThrownBy(() -> client.lookup(olivia()))
                            .isInstanceOf(SourceException.class)
                            .hasMessageStartingWith(
                                    "ldap source 'ldap' could not set up TLS with " + d.url("ldaps", "localhost"))
                            .hasMessageEndingWith(
                                    "; check trust_store holds the directory's CA and the URL's host is in its certificate");
                }
            }
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedEvenWithTheHostAsItsCommonName() throws Exception {
        try (TestDirectory d = TestDirectory.start(
                DirectoryTrees.OPENLDAP,
                List.of(),
                TestDirectory.Listener.START_TLS,
                Optional.of(otherHost),
                OL_BASE)) {
            LdapConfigs config = LdapConfigs.openLdap(d.url("ldap", "localhost"));
            config.startTls = true;
            config.trustStore = Optional.of(otherHost.certificatePem());

            try (SourceClient client = open(config)) {
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessageContaining("could not set up TLS")
                        .hasMessageContaining("localhost");
            }
        }
    }

    @Test
    void aTrustStoreThatCannotBeReadFailsOpen() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
        Path p12 = pkcs12TrustStore(cert, "right-pass");
        LdapConfigs missing = LdapConfigs.openLdap("ldaps://localhost:1");
        missing.trustStore = Optional.of(dir.resolve("missing.pem"));
        LdapConfigs unreadable = LdapConfigs.openLdap("ldaps://localhost:1");
        unreadable.trustStore = Optional.of(garbage);
        LdapConfigs wrongPassword = LdapConfigs.openLdap("ldaps://localhost:1");
        wrongPassword.trustStore = Optional.of(p12);
        wrongPassword.trustStorePassword = Secret.of("wrong-pass-55");
        Path badPem = Files.writeString(
                dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        LdapConfigs brokenPem = LdapConfigs.openLdap("ldaps://localhost:1");
        brokenPem.trustStore = Optional.of(badPem);

        assertThatThrownBy(() -> open(missing))
                .isInstanceOf(SourceException.class)
                .hasMessageStartingWith("source 'ldap': cannot read trust_store " + dir.resolve("missing.pem"));
        assertThatThrownBy(() -> open(unreadable))
                .hasMessage("source 'ldap': trust_store " + garbage
                        + " is neither PEM certificates nor a PKCS#12 file this trust_store_password opens");
        assertThatThrownBy(() -> open(wrongPassword))
                .hasMessageContaining("is neither PEM certificates nor a PKCS#12 file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pass-55"));
        assertThatThrownBy(() -> open(brokenPem)).hasMessageContaining("has a PEM certificate that does not parse");
    }

    @Test
    void startTlsAgainstADirectoryThatDoesNotOfferItIsATlsError() throws Exception {
        try (TestDirectory d = directory()) {
            LdapConfigs config = LdapConfigs.openLdap(d.url("ldap", "localhost"));
            config.startTls = true;
            config.trustStore = Optional.of(cert.certificatePem());

            try (SourceClient client = open(config)) {
                assertThatThrownBy(() -> client.lookup(olivia()))
                        .isInstanceOf(SourceException.class)
                        .hasMessageStartingWith(
                                "ldap source 'ldap' could not set up TLS with " + d.url("ldap", "localhost"));
            }
        }
    }

    @Test
    void keptConnectionsTheDirectoryDroppedAreReplacedWithoutAFailedLookup() throws Exception {
        try (TestDirectory d = directory();
                PausableTcpProxy proxy = new PausableTcpProxy(d.port())) {
            LdapConfigs config = LdapConfigs.openLdap("ldap://127.0.0.1:" + proxy.port());
            try (SourceClient client = open(config)) {
                for (long settle : new long[] {0, 300}) { // found broken when used; seen closed before use
                    assertThat(client.lookup(olivia()).found()).isTrue();
                    proxy.cut();
                    proxy.restore();
                    Thread.sleep(settle);

                    assertThat(client.lookup(olivia()).found()).isTrue();
                }
            }
        }
    }

    @Test
    void anEmptyPkcs12TrustStoreFailsOpen() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        Path file = dir.resolve("empty.p12");
        try (OutputStream o = Files.newOutputStream(file)) {
            empty.store(o, "pass".toCharArray());
        }
        LdapConfigs config = LdapConfigs.openLdap("ldaps://localhost:1");
        config.trustStore = Optional.of(file);
        config.trustStorePassword = Secret.of("pass");

        assertThatThrownBy(() -> open(config))
                .hasMessage("source 'ldap': trust_store " + file + " holds no certificate");
    }

    /** The directory's certificate alone, in a PKCS#12 trust store, as an administrator would make one. */
    private Path pkcs12TrustStore(SelfSignedCertificate cert, String password) throws Exception {
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(cert.pkcs12())) {
            server.load(in, cert.password().toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("directory-ca", server.getCertificate("server"));
        Path out = dir.resolve("trust-" + password + ".p12");
        try (OutputStream o = Files.newOutputStream(out)) {
            trust.store(o, password.toCharArray());
        }
        return out;
    }
}
