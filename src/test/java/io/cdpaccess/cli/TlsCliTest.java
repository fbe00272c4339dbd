package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.ChildService;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.SelfSignedCertificate;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an administrator reads about HTTPS: {@code config validate}'s line naming the hosts the
 * certificate covers and when it expires, and {@code serve}'s one start-log line saying when it
 * made the self-signed certificate.
 */
class TlsCliTest {

    static final String NOTE = "REDCap checks only that the certificate names the host in its URL";

    @TempDir
    Path dir;

    @Test
    void configValidateNamesTheCertificatesHostsAndExpiry() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        Path config = PrivateFiles.write(dir.resolve("pem.yaml"), ServiceUnderTest.prodConfig("""
                tls:
                  certificate: %s
                  private_key: %s
                """.formatted(
                        cert.certificatePem(), cert.privateKeyPem())));
        Instant now = Instant.now();
        Cli.Result ok = new Cli(new TestClock(now)).run("config", "validate", "--config", config.toString());

        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        // keytool's -validity 30 made it, a moment ago: 29 days and some hours are left.
        String end = LocalDate.ofInstant(notAfter(cert.certificatePem()), ZoneOffset.UTC)
                .toString();
        assertThat(ok.out())
                .contains("tls: certificate " + cert.certificatePem() + " names localhost, 127.0.0.1; expires " + end
                        + " UTC (29 days left); " + NOTE);

        Cli.Result later = new Cli(new TestClock(now.plus(Duration.ofDays(31))))
                .run("config", "validate", "--config", config.toString());
        assertThat(later.out()).contains("UTC (EXPIRED); " + NOTE);
    }

    private static Instant notAfter(Path pem) throws Exception {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(in))
                    .getNotAfter()
                    .toInstant();
        }
    }

    @Test
    void configValidateReadsTheKeyAsServeWouldAndStopsOnAWrongPassword() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "RSA");
        Path config =
                PrivateFiles.write(dir.resolve("p12.yaml"), ServiceUnderTest.prodConfig("""
                tls:
                  keystore: %s
                  keystore_password: not-it
                """.formatted(cert.pkcs12())));
        Cli.Result r = new Cli(new TestClock(Instant.now())).run("config", "validate", "--config", config.toString());

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err())
                .contains("tls.keystore " + cert.pkcs12() + ": cannot open")
                .doesNotContain("not-it");
    }

    @Test
    void serveMakesTheSelfSignedCertificateOnceAndValidateThenDescribesIt() throws Exception {
        Path config = PrivateFiles.write(
                dir.resolve("cdp-access.yaml"),
                ServiceUnderTest.prodConfig("tls:\n  self_signed: {hosts: [127.0.0.1, localhost]}\n"));
        Cli.Result before =
                new Cli(new TestClock(Instant.now())).run("config", "validate", "--config", config.toString());
        assertThat(before.out())
                .contains("tls: a self-signed certificate for 127.0.0.1, localhost will be made in "
                        + dir.resolve("data/tls") + " on first start; " + NOTE);

        try (ChildService first = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            String banner = first.awaitBanner();
            assertThat(banner).contains("(HTTPS)").contains("https://127.0.0.1:");
            assertThat(first.stderr())
                    .containsOnlyOnce("made a new self-signed certificate in " + dir.resolve("data/tls"))
                    .contains("names 127.0.0.1, localhost; expires")
                    .contains("because there was none");
            assertThat(first.stop()).isZero();
        }
        try (ChildService second = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            second.awaitBanner();
            assertThat(second.stderr())
                    .contains("using the self-signed certificate")
                    .doesNotContain("made a new");
        }
        Cli.Result after =
                new Cli(new TestClock(Instant.now())).run("config", "validate", "--config", config.toString());
        assertThat(after.out())
                .contains("tls: self-signed certificate " + dir.resolve("data/tls/self-signed-certificate.pem")
                        + " names 127.0.0.1, localhost; expires ")
                .contains("(729 days left); " + NOTE);
    }
}
