package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.SelfSignedCertificate;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with the certificate formats administrators have: PKCS#12, or PEM certificate and key. */
class TlsListenerTest {

    static final String SECRET = "tls-secret-0123456789";
    static final String URL = "https://redcap.example.edu/";

    @TempDir
    Path dir;

    private final RedcapClient redcap = new RedcapClient();

    @Test
    void servesHttpsFromAPkcs12Keystore() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        String tls = """
                tls:
                  keystore: %s
                  keystore_password: "${KS_PASSWORD}"
                """.formatted(cert.pkcs12());
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, config(tls),
                java.util.Map.of("KS_PASSWORD", cert.password()), java.time.Clock.systemUTC())) {
            service.grant("prod", "alice", 42, Optional.empty());

            assertThat(service.url(SECRET)).startsWith("https://");
            assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
            assertThat(redcap.userAccess(service.url(SECRET), "bob", 42, URL)).isEqualTo("0");
            // Plain HTTP to the HTTPS port is not an answer REDCap could take for "1".
            assertThat(redcap.userAccess(service.url(SECRET).replace("https://", "http://"), "alice", 42, URL))
                    .isEqualTo("0");
        }
    }

    @Test
    void servesHttpsFromPemCertificateAndKey() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        String tls = """
                tls:
                  certificate: %s
                  private_key: %s
                """.formatted(cert.certificatePem(), cert.privateKeyPem());
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, config(tls))) {
            service.grant("prod", "alice", 42, Optional.empty());

            assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        }
    }

    @Test
    void aWrongKeystorePasswordStopsStartupWithAMessageNamingTheFile() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        String tls = """
                tls:
                  keystore: %s
                  keystore_password: wrong-password
                """.formatted(cert.pkcs12());

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(tls)).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls.keystore")
                .hasMessageContaining(cert.pkcs12().toString())
                .hasMessageNotContaining("wrong-password");
    }

    @Test
    void anEncryptedPemKeyIsRefusedWithTheCommandToDecryptIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        String tls = """
                tls:
                  certificate: %s
                  private_key: %s
                """.formatted(cert.certificatePem(), encrypted);

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(tls)).close())
                .hasMessageContaining("encrypted").hasMessageContaining("openssl pkcs8");
    }

    private static String config(String tls) {
        return """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(URL, SECRET) + tls;
    }
}
