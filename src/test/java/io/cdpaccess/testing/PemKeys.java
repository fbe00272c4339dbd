package io.cdpaccess.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PEM private key rewritten by {@code openssl} itself (the {@code openssl} command must be on
 * the PATH; {@code .ci/run} installs it) in each form administrators hand the service: what
 * {@code openssl genrsa}, {@code openssl ecparam -genkey}, {@code openssl pkcs8 -topk8 -v2
 * aes-256-cbc} and {@code openssl rsa -aes256} write, not a Java library's idea of them.
 */
public final class PemKeys {

    /** The PEM forms of a private key. */
    public enum Form {
        /** {@code -----BEGIN PRIVATE KEY-----} */
        PKCS8,
        /** {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1). */
        TRADITIONAL,
        /** {@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2 and AES-256-CBC. */
        ENCRYPTED_PKCS8,
        /** PKCS#1 or SEC1 with {@code Proc-Type: 4,ENCRYPTED} and {@code DEK-Info: AES-256-CBC}. */
        LEGACY_ENCRYPTED
    }

    private PemKeys() {}

    /** Writes the key of {@code pemKey} to {@code out} in {@code form}; {@code password} for the encrypted forms. */
    public static Path write(Path pemKey, Form form, String password, Path out)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        switch (form) {
            case PKCS8 -> command.addAll(List.of("pkcs8", "-topk8", "-nocrypt"));
            case TRADITIONAL -> command.addAll(List.of("pkey", "-traditional"));
            case ENCRYPTED_PKCS8 ->
                command.addAll(List.of("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "env:PEM_KEY_PASSWORD"));
            case LEGACY_ENCRYPTED ->
                command.addAll(List.of("pkey", "-traditional", "-aes256", "-passout", "env:PEM_KEY_PASSWORD"));
        }
        command.addAll(List.of("-in", pemKey.toString(), "-out", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PEM_KEY_PASSWORD", password);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return out;
    }
}
