package io.cdpaccess.cli;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.TlsConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.tls.ServerKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code serve} checks before it starts: that no other local user can read or change what
 * it keeps. The data directory, the embedded store's files, the configuration file when it holds
 * a secret in plain text (not one taken from the environment, not a {@code sha256:} digest), and
 * the TLS private key or keystore (and the directory of the self-signed one) must each belong to the user running the service and be closed
 * to group and others. Nothing is re-moded here: the administrator gets the command to run.
 */
final class OwnerOnlyFiles {

    private OwnerOnlyFiles() {}

    /** The problems found, each one line ending in the command that fixes it; empty when all is well. */
    static List<String> problems(ServiceConfig config) {
        List<String> problems = new ArrayList<>();
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        OwnerOnly.problem(dataDir, "the data directory").ifPresent(problems::add);
        for (Path file : Database.embeddedFiles(config.store().url())) {
            // Usually the data directory itself: named once, or "(and 1 more like it)" would count it twice.
            if (!file.getParent().equals(dataDir)) {
                OwnerOnly.problem(file.getParent(), "the store's directory").ifPresent(problems::add);
            }
            OwnerOnly.problem(file, "the store file").ifPresent(problems::add);
        }
        if (holdsPlainSecret(config)) {
            OwnerOnly.problem(config.source(), "the configuration file (it holds a secret)")
                    .ifPresent(problems::add);
        }
        config.tls()
                .flatMap(TlsConfig::selfSigned)
                .ifPresent(selfSigned -> OwnerOnly.problem(
                                selfSigned.directory(), "the self-signed certificate's directory")
                        .ifPresent(problems::add));
        config.tls()
                .ifPresent(tls -> tlsKey(tls)
                        .ifPresent(key ->
                                OwnerOnly.problem(key, "the TLS private key").ifPresent(problems::add)));
        return problems.stream().distinct().toList();
    }

    private static Optional<Path> tlsKey(TlsConfig tls) {
        return tls.privateKey().or(tls::keystore).or(() -> tls.selfSigned().map(ServerKeys::selfSignedKeyFile));
    }

    /** Whether a secret is written out in the file itself rather than taken from the environment. */
    private static boolean holdsPlainSecret(ServiceConfig config) {
        String text;
        try {
            text = Files.readString(config.source(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return true; // cannot tell: check it
        }
        List<String> secrets = new ArrayList<>();
        for (InstanceConfig instance : config.instances()) {
            instance.secret().plainText().ifPresent(secrets::add);
        }
        revealed(config.store().password()).ifPresent(secrets::add);
        config.tls().flatMap(tls -> revealed(tls.keystorePassword())).ifPresent(secrets::add);
        config.tls().flatMap(tls -> revealed(tls.privateKeyPassword())).ifPresent(secrets::add);
        return secrets.stream().anyMatch(text::contains);
    }

    private static Optional<String> revealed(Secret secret) {
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret.reveal());
    }
}
