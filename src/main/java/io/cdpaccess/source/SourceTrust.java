package io.cdpaccess.source;

import io.cdpaccess.config.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificates a source's TLS certificate (a directory's, a web service's) must chain to: the
 * configured trust store (PEM certificates, as a server's CA is usually handed over, or PKCS#12),
 * else the JVM's trusted CAs. Read once when the source opens, so that an unreadable file stops
 * the start with one line rather than failing every lookup.
 */
public final class SourceTrust {

    private SourceTrust() {}

    /** The trust manager for {@code trustStore}, or the JVM's default one when it is empty. */
    public static X509TrustManager trustManager(Optional<Path> trustStore, Secret password, String source)
            throws SourceException {
        try {
            KeyStore store = trustStore.isPresent() ? load(trustStore.get(), password, source) : null;
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store); // null: the JVM's default CAs
            // the default (PKIX) factory makes exactly one, an X509TrustManager
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new SourceException(
                    "source '" + source + "': cannot use trust_store "
                            + trustStore.map(Path::toString).orElse("") + ": "
                            + e.getClass().getSimpleName() + "; give the server's CA as PEM or PKCS#12",
                    e);
        }
    }

    private static KeyStore load(Path file, Secret password, String source)
            throws SourceException, GeneralSecurityException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SourceException(
                    "source '" + source + "': cannot read trust_store " + file + " ("
                            + e.getClass().getSimpleName() + "); check the path and that the service may read it",
                    e);
        }
        if (new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            return pem(bytes, file, source);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            store.load(in, password.reveal().toCharArray());
        } catch (IOException e) {
            throw new SourceException(
                    "source '" + source + "': trust_store " + file
                            + " is neither PEM certificates nor a PKCS#12 file this trust_store_password opens",
                    e);
        }
        if (store.size() == 0) {
            throw new SourceException("source '" + source + "': trust_store " + file + " holds no certificate");
        }
        return store;
    }

    private static KeyStore pem(byte[] bytes, Path file, String source)
            throws SourceException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new SourceException(
                    "source '" + source + "': trust_store " + file + " has a PEM certificate that does not parse", e);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null); // a new, empty store: nothing to read, nothing to fail
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("ca-" + i++, certificate);
        }
        return store;
    }
}
