package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls.self_signed}: the certificate the service makes for itself is one a client that
 * checks the host name (as REDCap's cURL does) accepts for the configured hosts, is kept
 * owner-only, and is reused until the hosts change or it nears its end.
 */
class SelfSignedTlsTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-03-01T09:00:00Z"));

    @Test
    void aClientThatChecksTheHostNameAcceptsTheMadeCertificateForTheConfiguredAddress() throws Exception {
        try (ServiceUnderTest service = start("[127.0.0.1, localhost]")) {
            service.grant("prod", "alice", 42, Optional.empty());
            X509Certificate made = kept();

            // Trusting exactly this certificate, with the JDK's default host-name check.
            assertThat(get(service.base() + "/health/live", made)).isEqualTo(200);
            assertThat(get("https://localhost:" + service.port() + "/health/live", made))
                    .isEqualTo(200);
            assertThat(new RedcapClient().userAccess(service.url(SECRET), "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(made.getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
            assertThat(made.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
            assertThat(made.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofDays(730)));
        }
        assertThat(Files.getPosixFilePermissions(tlsDir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(tlsDir().resolve("self-signed-key.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(tlsDir().resolve("self-signed-certificate.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aCertificateThatDoesNotNameTheUrlsHostIsRefusedAsREDCapWouldRefuseIt() throws Exception {
        try (ServiceUnderTest service = start("[localhost]")) {
            X509Certificate made = kept();

            assertThatThrownBy(() -> get(service.base() + "/health/live", made))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("127.0.0.1");
        }
    }

    @Test
    void aRestartReusesTheCertificateAndNewHostsOrItsNearingEndMakeANewOne() throws Exception {
        BigInteger first;
        try (ServiceUnderTest service = start("[127.0.0.1, localhost]")) {
            first = kept().getSerialNumber();
            assertThat(service.app().https()).isTrue();
        }
        clock.advance(Duration.ofDays(300));
        try (ServiceUnderTest service = start("[localhost, 127.0.0.1]")) {
            assertThat(kept().getSerialNumber()).as("same hosts: kept").isEqualTo(first);
            assertThat(get(service.base() + "/health/live", kept())).isEqualTo(200);
        }
        BigInteger second;
        try (ServiceUnderTest service = start("[127.0.0.1, cdp.example.edu]")) {
            X509Certificate renewed = kept();
            second = renewed.getSerialNumber();
            assertThat(second).as("a host added: made anew").isNotEqualTo(first);
            assertThat(renewed.getSubjectAlternativeNames().stream()
                            .map(name -> name.get(1).toString()))
                    .containsExactly("127.0.0.1", "cdp.example.edu");
            assertThat(get(service.base() + "/health/live", renewed)).isEqualTo(200);
        }
        clock.advance(Duration.ofDays(730 - 29));
        try (ServiceUnderTest service = start("[127.0.0.1, cdp.example.edu]")) {
            assertThat(kept().getSerialNumber()).as("29 days left: made anew").isNotEqualTo(second);
            assertThat(kept().getNotAfter().toInstant()).isAfter(clock.instant().plus(Duration.ofDays(700)));
            assertThat(get(service.base() + "/health/live", kept())).isEqualTo(200);
        }
    }

    @Test
    void aDamagedKeptCertificateIsMadeAgainRatherThanServedOrFatal() throws Exception {
        try (ServiceUnderTest service = start("[127.0.0.1]")) {
            assertThat(get(service.base() + "/health/live", kept())).isEqualTo(200);
        }
        Files.writeString(tlsDir().resolve("self-signed-key.pem"), "-----BEGIN PRIVATE KEY-----\nnot a key\n");
        try (ServiceUnderTest service = start("[127.0.0.1]")) {
            assertThat(get(service.base() + "/health/live", kept())).isEqualTo(200);
        }
    }

    private ServiceUnderTest start(String hosts) {
        return ServiceUnderTest.start(
                dir, ServiceUnderTest.prodConfig("tls:\n  self_signed: {hosts: " + hosts + "}\n"), Map.of(), clock);
    }

    private Path tlsDir() {
        return dir.resolve("data/tls");
    }

    private X509Certificate kept() throws Exception {
        try (InputStream in = Files.newInputStream(tlsDir().resolve("self-signed-certificate.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** GET over HTTPS trusting exactly {@code trusted}, host name checked as by default; the status. */
    private static int get(String url, X509Certificate trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("made", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        HttpsURLConnection connection =
                (HttpsURLConnection) URI.create(url).toURL().openConnection();
        connection.setSSLSocketFactory(context.getSocketFactory());
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }
}
