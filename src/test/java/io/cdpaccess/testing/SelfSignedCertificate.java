package io.cdpaccess.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate (by default for "localhost" and 127.0.0.1) made by the JDK's own keytool, written as a PKCS#12
 * keystore and as PEM certificate + PKCS#8 key files, so TLS is tested the way administrators
 * provide it.
 */
public record SelfSignedCertificate(Path pkcs12, String password, Path certificatePem, Path privateKeyPem) {

    public static SelfSignedCertificate create(Path dir, String keyAlgorithm) throws IOException, InterruptedException {
        return create(dir, keyAlgorithm, "dns:localhost,ip:127.0.0.1");
    }

    /**
     * A certificate whose subject alternative names are {@code san} in keytool's syntax
     * ({@code dns:other.example,ip:127.0.0.1}), to play one that names the host or does not.
     */
    public static SelfSignedCertificate create(Path dir, String keyAlgorithm, String san)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path p12 = dir.resolve("server.p12");
        String password = "changeit-" + keyAlgorithm.toLowerCase();
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(List.of(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        keyAlgorithm,
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "30",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        p12.toString(),
                        "-storepass",
                        password,
                        "-keypass",
                        password))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            Key key = ks.getKey("server", password.toCharArray());
            Certificate cert = ks.getCertificate("server");
            Path certPem = dir.resolve("server.crt.pem");
            Path keyPem = dir.resolve("server.key.pem");
            Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            return new SelfSignedCertificate(p12, password, certPem, keyPem);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** DER bytes as a PEM block of the given type. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
