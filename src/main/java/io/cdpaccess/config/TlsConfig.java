package io.cdpaccess.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS for the REDCap-facing listener: either a PKCS#12 keystore, or a PEM certificate chain
 * and PEM private key (unencrypted PKCS#8 or PKCS#1 RSA).
 */
public record TlsConfig(
        Optional<Path> keystore, Secret keystorePassword, Optional<Path> certificate, Optional<Path> privateKey) {}
