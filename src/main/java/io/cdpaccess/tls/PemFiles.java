package io.cdpaccess.tls;

import io.cdpaccess.config.Secret;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.bc.BcPEMDecryptorProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads PEM files the way administrators have them, through BouncyCastle's {@link PEMParser}:
 * certificate chains, and RSA or EC private keys in every form OpenSSL writes (PKCS#8
 * {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, encrypted
 * PKCS#8 {@code ENCRYPTED PRIVATE KEY}, and the legacy {@code Proc-Type: 4,ENCRYPTED} form).
 *
 * <p>Keys come out as the JDK's own key classes ({@link JcaPEMKeyConverter} with the default
 * providers), so Jetty's TLS signs with the JDK as it always did. BouncyCastle is never
 * registered as a provider: the legacy form is decrypted with its lightweight API, and only
 * encrypted PKCS#8, whose PBES2 ciphers the JDK's providers cannot be asked for by BouncyCastle,
 * is decrypted with a {@link BouncyCastleProvider} instance passed to that one builder.
 */
final class PemFiles {

    private PemFiles() {}

    /**
     * Every certificate in {@code file}, in file order; other PEM blocks (a key, say) are passed over.
     *
     * @param setting what the file is, as messages name it ({@code tls.certificate})
     */
    static List<X509Certificate> certificates(Path file, String setting) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = parser(file)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + " " + file + ": not a PEM certificate chain (" + e.getMessage()
                    + "); give the server certificate, then any intermediates, as -----BEGIN CERTIFICATE----- blocks");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(
                    setting + " " + file
                            + ": no certificate in the file; give the server certificate as a -----BEGIN CERTIFICATE----- block");
        }
        return List.copyOf(chain);
    }

    /**
     * The first private key in {@code file}, decrypted with {@code password} when it is encrypted.
     * EC parameters and certificates before it are passed over, so one file holding both key and
     * certificate works.
     */
    static PrivateKey privateKey(Path file, Secret password) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = parser(file)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    return converter.getPrivateKey(decrypt(encrypted, file, password));
                }
                if (o instanceof PEMEncryptedKeyPair encrypted) {
                    return converter.getPrivateKey(decrypt(encrypted, file, password));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.private_key " + file + ": not a PEM private key (" + e.getMessage()
                    + "); give an RSA or EC key as written by openssl");
        }
        throw new IllegalArgumentException(
                "tls.private_key " + file
                        + ": no private key in the file; give the key the certificate was issued for (-----BEGIN ... PRIVATE KEY-----)");
    }

    private static PrivateKeyInfo decrypt(PKCS8EncryptedPrivateKeyInfo encrypted, Path file, Secret password) {
        char[] chars = passwordFor(file, password);
        try {
            return encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(new BouncyCastleProvider())
                    .build(chars));
        } catch (PKCSException e) {
            throw wrongPassword(file);
        } catch (OperatorCreationException | SecurityException e) {
            // SecurityException: a JDK that insists on signed JCE providers (the shaded jar's is not).
            throw new IllegalArgumentException("tls.private_key " + file + ": cannot decrypt it here (" + e.getMessage()
                    + "); decrypt it once with openssl pkcs8 -in KEY -out KEY.plain (mode 0600)");
        }
    }

    private static PrivateKeyInfo decrypt(PEMEncryptedKeyPair encrypted, Path file, Secret password) {
        char[] chars = passwordFor(file, password);
        try {
            return encrypted.decryptKeyPair(new BcPEMDecryptorProvider(chars)).getPrivateKeyInfo();
        } catch (IOException | RuntimeException e) {
            // A wrong password shows as bad padding or, 1 time in 256, as garbage that does not parse.
            throw wrongPassword(file);
        }
    }

    private static char[] passwordFor(Path file, Secret password) {
        if (password.isEmpty()) {
            throw new IllegalArgumentException("tls.private_key " + file
                    + " is encrypted: set tls.private_key_password (e.g. ${CDP_ACCESS_TLS_KEY_PASSWORD})");
        }
        return password.reveal().toCharArray();
    }

    private static IllegalArgumentException wrongPassword(Path file) {
        return new IllegalArgumentException("tls.private_key " + file
                + ": tls.private_key_password does not decrypt it; check the password"
                + " (openssl pkey -in " + file + " -noout asks for it)");
    }

    private static PEMParser parser(Path file) throws IOException {
        Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        return new PEMParser(reader);
    }
}
