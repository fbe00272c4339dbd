package io.cdpaccess.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * HTTPS for the REDCap-facing listener, from exactly one of: a PKCS#12 keystore; a PEM
 * certificate chain and PEM private key (RSA or EC; PKCS#8, PKCS#1 or SEC1; encrypted ones with
 * {@code private_key_password}); or a self-signed certificate the service makes and keeps in its
 * data directory. REDCap checks only that the certificate names the host in its URL, not who
 * issued it, so the self-signed one is a real choice, not a test mode.
 */
public record TlsConfig(
        Optional<Path> keystore,
        Secret keystorePassword,
        Optional<Path> certificate,
        Optional<Path> privateKey,
        Secret privateKeyPassword,
        Optional<SelfSigned> selfSigned) {

    /**
     * {@code tls.self_signed}: the names (DNS names and IP literals, as REDCap's URL will have
     * them) the certificate must cover, and the owner-only directory it is kept in.
     */
    public record SelfSigned(List<String> hosts, Path directory) {
        public SelfSigned {
            hosts = List.copyOf(hosts);
        }
    }
}
