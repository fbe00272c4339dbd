package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.testing.PemKeys;
import io.cdpaccess.testing.PemKeys.Form;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.SelfSignedCertificate;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with the certificate formats administrators have: PKCS#12, or a PEM certificate and an
 * RSA or EC key in any form OpenSSL writes, encrypted ones with the password from the
 * environment; and the one-line refusals for what cannot work.
 */
class TlsListenerTest {

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;
    static final String KEY_PASSWORD = "correct horse battery staple";

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
        try (ServiceUnderTest service = ServiceUnderTest.start(
                dir, config(tls), java.util.Map.of("KS_PASSWORD", cert.password()), java.time.Clock.systemUTC())) {
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
        assertAliceIsAllowedOverHttps(pem(cert.certificatePem(), cert.privateKeyPem()));
    }

    @Test
    void servesHttpsFromAPkcs1RsaKeyAsOpensslGenrsaWritesIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        Path pkcs1 = rewrite(cert, Form.TRADITIONAL, "");
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertAliceIsAllowedOverHttps(pem(cert.certificatePem(), pkcs1));
    }

    @Test
    void servesHttpsFromAnEcKeyInSec1FormAsOpensslEcparamWritesIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        Path sec1 = rewrite(cert, Form.TRADITIONAL, "");
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        assertAliceIsAllowedOverHttps(pem(cert.certificatePem(), sec1));
    }

    @Test
    void servesHttpsFromEncryptedKeysWithThePasswordFromTheEnvironment() throws Exception {
        for (String algorithm : List.of("RSA", "EC")) {
            SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs-" + algorithm), algorithm);
            for (Form form : List.of(Form.ENCRYPTED_PKCS8, Form.LEGACY_ENCRYPTED)) {
                Path key = rewrite(cert, form, KEY_PASSWORD);
                String tls = pem(cert.certificatePem(), key) + "  private_key_password: ${TLS_KEY_PASSWORD}\n";
                try (ServiceUnderTest service = ServiceUnderTest.start(
                        dir, config(tls), Map.of("TLS_KEY_PASSWORD", KEY_PASSWORD), Clock.systemUTC())) {
                    service.grant("prod", "alice", 42, Optional.empty());
                    assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL))
                            .as(algorithm + " " + form)
                            .isEqualTo("1");
                }
            }
        }
    }

    @Test
    void aWrongKeyPasswordStopsStartupWithOneLineNamingTheKeyAndNotThePassword() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        for (Form form : List.of(Form.ENCRYPTED_PKCS8, Form.LEGACY_ENCRYPTED)) {
            Path key = rewrite(cert, form, KEY_PASSWORD);
            String tls = pem(cert.certificatePem(), key) + "  private_key_password: ${TLS_KEY_PASSWORD}\n";

            assertThatThrownBy(() -> ServiceUnderTest.start(
                                    dir, config(tls), Map.of("TLS_KEY_PASSWORD", "not-the-password"), Clock.systemUTC())
                            .close())
                    .as(form.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tls.private_key " + key + ": tls.private_key_password does not decrypt it;"
                            + " check the password (openssl pkey -in " + key + " -noout asks for it)");
        }
    }

    @Test
    void anEncryptedKeyWithoutAPasswordSaysWhichSettingToAdd() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        Path key = rewrite(cert, Form.ENCRYPTED_PKCS8, KEY_PASSWORD);

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(pem(cert.certificatePem(), key)))
                        .close())
                .hasMessage("tls.private_key " + key
                        + " is encrypted: set tls.private_key_password (e.g. ${CDP_ACCESS_TLS_KEY_PASSWORD})");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() throws Exception {
        SelfSignedCertificate one = SelfSignedCertificate.create(dir.resolve("one"), "EC");
        SelfSignedCertificate other = SelfSignedCertificate.create(dir.resolve("other"), "EC");

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(pem(one.certificatePem(), other.privateKeyPem())))
                        .close())
                .hasMessage("tls.private_key " + other.privateKeyPem() + " does not belong to tls.certificate "
                        + one.certificatePem()
                        + " (no certificate there has its public key); give the key the certificate was issued for");
    }

    @Test
    void aCertificateFileWithoutACertificateIsRefused() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(pem(cert.privateKeyPem(), cert.privateKeyPem())))
                        .close())
                .hasMessageStartingWith("tls.certificate " + cert.privateKeyPem() + ": no certificate in the file");
    }

    @Test
    void oneFileHoldingKeyAndChainInEitherOrderServes() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        SelfSignedCertificate unrelated = SelfSignedCertificate.create(dir.resolve("ca"), "EC");
        Path combined = dir.resolve("combined.pem");
        // An intermediate listed before the server's own certificate, then the key: both readers skip what is not
        // theirs.
        Files.writeString(
                combined,
                Files.readString(unrelated.certificatePem())
                        + Files.readString(cert.certificatePem())
                        + Files.readString(cert.privateKeyPem()));

        assertAliceIsAllowedOverHttps(pem(combined, combined));
    }

    /** The certificate's key, written again in {@code form}. */
    private Path rewrite(SelfSignedCertificate cert, Form form, String password) throws Exception {
        Path file = cert.privateKeyPem().resolveSibling("key-" + form.name().toLowerCase(Locale.ROOT) + ".pem");
        return PemKeys.write(cert.privateKeyPem(), form, password, file);
    }

    private void assertAliceIsAllowedOverHttps(String tls) {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, config(tls))) {
            service.grant("prod", "alice", 42, Optional.empty());

            assertThat(service.url(SECRET)).startsWith("https://");
            assertThat(redcap.userAccess(service.url(SECRET), "alice", 42, URL)).isEqualTo("1");
        }
    }

    private static String pem(Path certificate, Path privateKey) {
        return """
                tls:
                  certificate: %s
                  private_key: %s
                """.formatted(certificate, privateKey);
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

    private static String config(String tls) {
        return ServiceUnderTest.prodConfig(tls);
    }
}
