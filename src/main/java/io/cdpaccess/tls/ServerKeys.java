package io.cdpaccess.tls;

import io.cdpaccess.config.Secret;
import io.cdpaccess.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The listener's certificate chain and private key, in the {@link KeyStore} Jetty takes: from a
 * PKCS#12 file, from PEM files, or the self-signed certificate kept in the data directory. The
 * chain is checked to belong to the key before anything listens, so a mismatch is a one-line
 * error at start, not a handshake failure REDCap reports as "every user denied".
 *
 * @param password unlocks the key entry; for PEM and self-signed, a fixed in-memory password
 *     that never leaves this process
 * @param chain the server certificate first
 */
public record ServerKeys(KeyStore keyStore, String password, List<X509Certificate> chain) {

    static final String ALIAS = "cdp-access";
    private static final String IN_MEMORY_PASSWORD = "cdp-access-in-memory";

    public ServerKeys {
        chain = List.copyOf(chain);
    }

    /** The server certificate, the one clients check the host name against. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /**
     * The keys {@code serve} listens with; for {@code self_signed}, makes the certificate when
     * there is none that is fit for the configured hosts and the next 30 days.
     *
     * @throws IllegalArgumentException with a one-line message naming the file and what to do
     */
    public static ServerKeys load(TlsConfig tls, Clock clock) {
        if (tls.selfSigned().isPresent()) {
            return SelfSignedCertificates.ensure(tls.selfSigned().get(), clock);
        }
        return read(tls);
    }

    /**
     * The certificate a running listener presents, for the command line to trust when it calls
     * its own service: read from the keystore or PEM files (checked against the key, as
     * {@code serve} does), or the self-signed one kept in the data directory, which this never
     * makes (that is for {@code serve}); empty when none has been made yet.
     *
     * @throws IllegalArgumentException with the one-line message {@code serve} would stop with
     */
    public static Optional<X509Certificate> presentedCertificate(TlsConfig tls) {
        if (tls.selfSigned().isPresent()) {
            Path file = SelfSignedCertificates.certificateFile(tls.selfSigned().get());
            return Files.exists(file)
                    ? Optional.of(PemFiles.certificates(file, "the self-signed certificate")
                            .get(0))
                    : Optional.empty();
        }
        return Optional.of(read(tls).certificate());
    }

    /** Where {@code self_signed} keeps its private key, for the owner-only check before start. */
    public static Path selfSignedKeyFile(TlsConfig.SelfSigned config) {
        return SelfSignedCertificates.keyFile(config);
    }

    /** The keystore or PEM files of {@code tls}, read and checked; never the self-signed one. */
    static ServerKeys read(TlsConfig tls) {
        if (tls.keystore().isPresent()) {
            return pkcs12(tls.keystore().get(), tls.keystorePassword());
        }
        Path certFile = tls.certificate().orElseThrow();
        Path keyFile = tls.privateKey().orElseThrow();
        List<X509Certificate> certificates = PemFiles.certificates(certFile, "tls.certificate");
        PrivateKey key = PemFiles.privateKey(keyFile, tls.privateKeyPassword());
        return fromPem(key, certificates)
                .orElseThrow(() -> new IllegalArgumentException("tls.private_key " + keyFile
                        + " does not belong to tls.certificate " + certFile
                        + " (no certificate there has its public key); give the key the certificate was issued for"));
    }

    /**
     * A keystore of {@code key} and the certificates, the one that belongs to the key first and
     * the others after it in their order (files list the chain in either order); empty when none
     * belongs to the key.
     */
    static Optional<ServerKeys> fromPem(PrivateKey key, List<X509Certificate> certificates) {
        List<X509Certificate> chain = new ArrayList<>();
        for (X509Certificate c : certificates) {
            if (chain.isEmpty() && belongTogether(key, c)) {
                chain.add(c);
            }
        }
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        certificates.stream().filter(c -> !c.equals(chain.get(0))).forEach(chain::add);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, IN_MEMORY_PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
            return Optional.of(new ServerKeys(ks, IN_MEMORY_PASSWORD, chain));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls: cannot hold the key in memory: " + e.getMessage(), e);
        }
    }

    private static ServerKeys pkcs12(Path file, Secret password) {
        char[] chars = password.reveal().toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, chars);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : ks.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    return new ServerKeys(ks, password.reveal(), chain);
                }
            }
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("tls.keystore " + file + ": cannot open (" + e.getMessage()
                    + "); check the file is PKCS#12 and tls.keystore_password is right");
        }
        throw new IllegalArgumentException(
                "tls.keystore " + file + ": holds no private key; export the certificate with its key (PKCS#12)");
    }

    /** Whether the certificate's public key verifies what the private key signs: they are one pair. */
    static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default ->
                throw new IllegalArgumentException(
                        "tls.private_key: unsupported key type " + key.getAlgorithm() + " (use RSA or EC)");
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
