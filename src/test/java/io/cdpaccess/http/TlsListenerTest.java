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

    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;

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
    void servesHttpsFromAPkcs1RsaKeyAsOlderOpensslWritesIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        Path pkcs1 = dir.resolve("server.rsa.pem");
        Files.writeString(
                pkcs1, SelfSignedCertificate.pem("RSA PRIVATE KEY", pkcs1FromPkcs8(derOf(cert.privateKeyPem()))));

        assertAliceIsAllowedOverHttps(pem(cert.certificatePem(), pkcs1));
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

    /** The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQUENCE { version, algorithm, OCTET STRING }. */
    private static byte[] pkcs1FromPkcs8(byte[] pkcs8) {
        int pos = 1 + lengthOfLength(pkcs8, 1); // outer SEQUENCE header
        pos += 3; // INTEGER 0
        pos += 2 + (pkcs8[pos + 1] & 0xff); // AlgorithmIdentifier SEQUENCE (short form)
        int octetLengthBytes = lengthOfLength(pkcs8, pos + 1);
        int length = length(pkcs8, pos + 1);
        int start = pos + 1 + octetLengthBytes;
        return java.util.Arrays.copyOfRange(pkcs8, start, start + length);
    }

    private static int lengthOfLength(byte[] der, int at) {
        int first = der[at] & 0xff;
        return first < 0x80 ? 1 : 1 + (first & 0x7f);
    }

    private static int length(byte[] der, int at) {
        int first = der[at] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = 0;
        for (int i = 1; i <= (first & 0x7f); i++) {
            n = n << 8 | (der[at + i] & 0xff);
        }
        return n;
    }

    private static byte[] derOf(Path pemFile) throws Exception {
        String body =
                Files.readString(pemFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return java.util.Base64.getDecoder().decode(body);
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
        Files.writeString(
                encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        String tls = pem(cert.certificatePem(), encrypted);

        assertThatThrownBy(() -> ServiceUnderTest.start(dir, config(tls)).close())
                .hasMessageContaining("encrypted")
                .hasMessageContaining("openssl pkcs8");
    }

    private static String config(String tls) {
        return ServiceUnderTest.prodConfig(tls);
    }
}
