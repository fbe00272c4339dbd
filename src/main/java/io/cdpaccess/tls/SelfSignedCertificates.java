package io.cdpaccess.tls;

import io.cdpaccess.config.Secret;
import io.cdpaccess.config.TlsConfig;
import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.net.IpAddresses;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tls.self_signed}: a certificate the service makes for the configured hosts and keeps in
 * the data directory, for institutions without a certificate authority at hand. REDCap's cURL does
 * not check who issued a certificate but does check that it names the host in the pasted URL, so
 * the certificate carries a DNS entry per host name and an IP entry per address, and is made anew
 * whenever that stops being true or it nears its end: a certificate that stopped fitting would deny
 * every user until someone noticed.
 *
 * <p>Kept as two PEM files in a {@code 0700} directory, each {@code 0600}, each written whole and
 * then renamed into place; a pair that no longer fits together (a crash between the two renames)
 * is simply made again.
 */
final class SelfSignedCertificates {

    /** How long a made certificate is valid. */
    static final Duration VALIDITY = Duration.ofDays(730);

    /** A kept certificate is replaced at start when it ends sooner than this. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    static final String CERTIFICATE_FILE = "self-signed-certificate.pem";
    static final String KEY_FILE = "self-signed-key.pem";

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificates() {}

    /** What is kept in the directory and whether it will serve. */
    sealed interface Kept {
        /** A kept certificate that covers the hosts and is good for more than 30 days. */
        record Fit(ServerKeys keys) implements Kept {}

        /** Nothing kept yet: the first start with {@code self_signed}. */
        record None() implements Kept {}

        /** One that must be made again; {@code reason} completes "made a new one because ...". */
        record Unfit(String reason) implements Kept {}
    }

    /** The kept certificate's private key file in {@code directory}. */
    static Path keyFile(TlsConfig.SelfSigned config) {
        return config.directory().resolve(KEY_FILE);
    }

    static Path certificateFile(TlsConfig.SelfSigned config) {
        return config.directory().resolve(CERTIFICATE_FILE);
    }

    /** Looks at what is kept, changing nothing. */
    static Kept inspect(TlsConfig.SelfSigned config, Clock clock) {
        Path certFile = certificateFile(config);
        Path keyFile = keyFile(config);
        if (!Files.exists(certFile) && !Files.exists(keyFile)) {
            return new Kept.None();
        }
        ServerKeys keys;
        try {
            List<X509Certificate> certificates = PemFiles.certificates(certFile, "the self-signed certificate");
            PrivateKey key = PemFiles.privateKey(keyFile, Secret.none());
            Optional<ServerKeys> pair = ServerKeys.fromPem(key, certificates);
            if (pair.isEmpty()) {
                return new Kept.Unfit("the kept key and certificate did not belong together");
            }
            keys = pair.get();
        } catch (IllegalArgumentException e) {
            return new Kept.Unfit("the kept one could not be read (" + e.getMessage() + ")");
        }
        X509Certificate certificate = keys.certificate();
        List<String> missing = config.hosts().stream()
                .filter(host -> !CertificateNames.covers(certificate, host))
                .toList();
        if (!missing.isEmpty()) {
            return new Kept.Unfit("the kept one did not name " + String.join(", ", missing));
        }
        Instant end = certificate.getNotAfter().toInstant();
        if (end.isBefore(clock.instant().plus(RENEW_BEFORE))) {
            return new Kept.Unfit("the kept one " + (end.isAfter(clock.instant()) ? "was to expire " : "expired ")
                    + CertificateSummary.date(end));
        }
        return new Kept.Fit(keys);
    }

    /** The kept certificate when it is fit; otherwise a new one, made, kept and logged in one line. */
    static ServerKeys ensure(TlsConfig.SelfSigned config, Clock clock) {
        Kept kept = inspect(config, clock);
        if (kept instanceof Kept.Fit fit) {
            LOG.info(
                    "TLS: using the self-signed certificate in {} ({})",
                    config.directory(),
                    CertificateSummary.namesAndExpiry(fit.keys().certificate(), clock));
            return fit.keys();
        }
        String reason = kept instanceof Kept.Unfit unfit ? unfit.reason() : "there was none";
        ServerKeys made = make(config.hosts(), clock);
        keep(config, made);
        LOG.info(
                "TLS: made a new self-signed certificate in {} ({}, serial {}) because {}",
                config.directory(),
                CertificateSummary.namesAndExpiry(made.certificate(), clock),
                made.certificate().getSerialNumber().toString(16),
                reason);
        return made;
    }

    /** A new EC P-256 key and a certificate for {@code hosts}, valid from now (less an hour of clock skew) for two years. */
    static ServerKeys make(List<String> hosts, Clock clock) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, hosts.get(0))
                    .build();
            Instant now = clock.instant();
            // 159 random bits: positive, under RFC 5280's 20 octets, and unguessable.
            BigInteger serial = new BigInteger(159, RANDOM).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    serial,
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(VALIDITY)),
                    subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return ServerKeys.fromPem(pair.getPrivate(), List.of(certificate)).orElseThrow();
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("tls.self_signed: cannot make a certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralNames alternativeNames(List<String> hosts) {
        return new GeneralNames(hosts.stream()
                .map(host -> new GeneralName(isAddress(host) ? GeneralName.iPAddress : GeneralName.dNSName, host))
                .toArray(GeneralName[]::new));
    }

    private static boolean isAddress(String host) {
        try {
            IpAddresses.parseLiteral(host);
            return true;
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
    }

    private static void keep(TlsConfig.SelfSigned config, ServerKeys keys) {
        try {
            OwnerOnly.createDirectories(config.directory());
            PrivateKey key = (PrivateKey)
                    keys.keyStore().getKey(ServerKeys.ALIAS, keys.password().toCharArray());
            // The key first: a crash before the certificate's rename leaves a pair that does not
            // fit, which the next start replaces; never a new certificate with an old key.
            write(keyFile(config), pem(new JcaPKCS8Generator(key, null)));
            write(certificateFile(config), pem(keys.certificate()));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "tls.self_signed: cannot keep the certificate in " + config.directory() + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("tls.self_signed: " + e.getMessage(), e);
        }
    }

    private static String pem(PemObjectGenerator key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        }
        return text.toString();
    }

    private static String pem(X509Certificate certificate) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        }
        return text.toString();
    }

    /** Writes {@code text} to a new {@code 0600} file beside {@code target}, then renames it into place. */
    private static void write(Path target, String text) throws IOException {
        Path temporary =
                target.resolveSibling(target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36));
        OwnerOnly.createFile(temporary);
        try {
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.US_ASCII)) {
                out.write(text);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
