package io.cdpaccess.http;

import io.cdpaccess.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the listener's certificate and key into a {@link KeyStore}: from a PKCS#12 file, or from
 * a PEM certificate chain plus a PEM private key (what most institutions' certificate tooling
 * produces). Failures are one-line messages that say which file and what to do.
 */
final class TlsKeyStores {

    /** The in-memory password for a keystore built from PEM files; never leaves this process. */
    static final char[] PEM_STORE_PASSWORD = "cdp-access-pem".toCharArray();

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private TlsKeyStores() {}

    /** A loaded keystore and the password that unlocks its key. */
    record Loaded(KeyStore keyStore, String password) {}

    static Loaded load(TlsConfig tls) {
        if (tls.keystore().isPresent()) {
            Path file = tls.keystore().get();
            char[] password = tls.keystorePassword().reveal().toCharArray();
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                return new Loaded(ks, new String(password));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("tls.keystore " + file + ": cannot open (" + e.getMessage()
                        + "); check the file is PKCS#12 and tls.keystore_password is right");
            }
        }
        Path certFile = tls.certificate().orElseThrow();
        Path keyFile = tls.privateKey().orElseThrow();
        Certificate[] chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("cdp-access", key, PEM_STORE_PASSWORD, chain);
            return new Loaded(ks, new String(PEM_STORE_PASSWORD));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "tls: certificate " + certFile + " and key " + keyFile + " do not fit together: " + e.getMessage());
        }
    }

    private static Certificate[] certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("tls.certificate " + file + ": no certificate found");
            }
            return certs.toArray(new Certificate[0]);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "tls.certificate " + file + ": not a PEM certificate chain (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.private_key " + file + ": cannot read: " + e.getMessage());
        }
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der, file);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(wrapPkcs1Rsa(der), file);
                }
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new IllegalArgumentException(
                            "tls.private_key " + file
                                    + " is encrypted; decrypt it with: openssl pkcs8 -in KEY -out KEY.plain.pem (and protect that file)");
                case "EC PRIVATE KEY" ->
                    throw new IllegalArgumentException(
                            "tls.private_key " + file
                                    + " is in SEC1 form; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem");
                default -> {
                    // e.g. EC PARAMETERS before the key; keep looking
                }
            }
        }
        throw new IllegalArgumentException("tls.private_key " + file + ": no PEM private key found");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("tls.private_key " + file + ": unsupported key type (use RSA or EC)");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (DER), as Java only reads the latter. */
    static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
        byte[] algorithm = {
            0x30,
            0x0d,
            0x06,
            0x09,
            0x2a,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xf7,
            0x0d,
            0x01,
            0x01,
            0x01,
            0x05,
            0x00
        };
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octet.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octet, 0, body, version.length + algorithm.length, octet.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int len = content.length;
        byte[] lengthBytes;
        if (len < 0x80) {
            lengthBytes = new byte[] {(byte) len};
        } else if (len < 0x100) {
            lengthBytes = new byte[] {(byte) 0x81, (byte) len};
        } else if (len < 0x10000) {
            lengthBytes = new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
        } else {
            lengthBytes = new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
        }
        byte[] out = new byte[1 + lengthBytes.length + len];
        out[0] = (byte) tag;
        System.arraycopy(lengthBytes, 0, out, 1, lengthBytes.length);
        System.arraycopy(content, 0, out, 1 + lengthBytes.length, len);
        return out;
    }
}
