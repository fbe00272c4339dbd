package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.cdpaccess.testing.ChildCommand;
import io.cdpaccess.testing.ChildService;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code serve} creates is owner-only whatever the umask, and what it finds open to other
 * local users (or owned by one) it refuses to run on, in one line ending with the command that
 * fixes it, before it has created or opened anything. Each {@code serve} runs as its own process,
 * under this JVM's umask (022).
 */
class OwnerOnlyFilesTest {

    static final String SECRET = "plain-secret-0123456789-XYZ";

    @TempDir
    Path dir;

    @BeforeEach
    void umaskLeavesNewFilesOpenToOthers() throws IOException {
        // Without this the owner-only modes below could be the umask's doing, not the service's.
        assertThat(mode(Files.createFile(dir.resolve("plain-file")))).isEqualTo("rw-r--r--");
        assertThat(mode(Files.createDirectory(dir.resolve("plain-dir")))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void aFirstServeOnANewDataDirectoryCreatesItOwnerOnlyWithAnOwnerOnlyConfigurationAndStore() throws Exception {
        Path data = dir.resolve("new").resolve("data");
        try (ChildService child =
                ChildService.serve(dir, Map.of(), "--data-dir", data.toString(), "--listen", "127.0.0.1:0")) {
            assertThat(child.awaitBanner()).contains("generated now");
            assertThat(mode(dir.resolve("new"))).isEqualTo("rwx------");
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(mode(data.resolve("cdp-access.yaml"))).isEqualTo("rw-------");
            assertThat(mode(data.resolve("store.db"))).isEqualTo("rw-------");
            assertThat(child.stop()).isZero();
        }
    }

    @Test
    void aConfigurationTakingItsSecretFromTheEnvironmentMayBeReadableAndItsNewDataDirectoryIsCreatedOwnerOnly()
            throws Exception {
        Path config = configWithSecret("\"${CDP_SECRET}\"", "./data");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        try (ChildService child =
                ChildService.serve(dir, Map.of("CDP_SECRET", SECRET), "--config", config.toString())) {
            child.awaitBanner();
            RedcapClient.Response r = new RedcapClient()
                    .call(
                            "http://127.0.0.1:" + child.port() + "/user-access?secret=" + SECRET,
                            "alice",
                            "42",
                            "https://redcap.example.edu/");
            assertThat(r.status()).isEqualTo(200); // the secret from the environment authenticates
            assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
            assertThat(child.stop()).isZero();
        }
    }

    @Test
    void aDataDirectoryOpenToOthersIsRefusedWithTheChmodThatFixesItAndNothingIsCreatedInIt() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = configWithSecret(SECRET, data.toString());

        Cli.Result served = serve("--config", config.toString());

        assertThat(refusal(served))
                .startsWith("cdp-access: refusing to start: the data directory " + data)
                .endsWith("run: chmod 700 " + data);
        try (Stream<Path> inside = Files.list(data)) {
            assertThat(inside).isEmpty();
        }
    }

    @Test
    void aConfigurationHoldingItsSecretInPlainTextMustNotBeReadableByOthers() throws Exception {
        Path config = configWithSecret(SECRET, "./data");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result served = serve("--config", config.toString());

        assertThat(refusal(served))
                .contains("the configuration file (it holds a secret) " + config)
                .endsWith("run: chmod 600 " + config)
                .doesNotContain(SECRET);
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aPlainTlsKeyPasswordIsASecretThatKeepsTheConfigurationOwnerOnly() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir.resolve("certs"), "EC");
        Files.setPosixFilePermissions(cert.privateKeyPem(), PosixFilePermissions.fromString("rw-------"));
        Path config = configWithSecret("\"${CDP_SECRET}\"", "./data");
        Files.writeString(
                config,
                "tls:\n  certificate: %s\n  private_key: %s\n  private_key_password: plain-key-password\n"
                        .formatted(cert.certificatePem(), cert.privateKeyPem()),
                StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result served = ChildCommand.run(
                dir, Map.of("CDP_SECRET", SECRET), "serve", "--listen", "127.0.0.1:0", "--config", config.toString());

        assertThat(refusal(served))
                .contains("the configuration file (it holds a secret) " + config)
                .doesNotContain("plain-key-password");
    }

    @Test
    void aSelfSignedKeyOpenedToOthersIsRefused() throws Exception {
        Path config = PrivateFiles.write(dir.resolve("cdp-access.yaml"), """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                tls:
                  self_signed: {hosts: [127.0.0.1]}
                """.formatted(SECRET));
        try (ChildService child = ChildService.serve(dir, Map.of(), "--config", config.toString())) {
            child.awaitBanner();
            assertThat(child.stop()).isZero();
        }
        Path key = dir.resolve("data/tls/self-signed-key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(refusal(serve("--config", config.toString())))
                .contains("the TLS private key " + key)
                .endsWith("run: chmod 600 " + key);
    }

    @Test
    void aConfigurationOwnedByAnotherUserIsRefusedWithTheChownThatFixesIt() throws Exception {
        assumeThat(EmbeddedStoreProcessTest.ownUid())
                .as("only root can give a file away")
                .isZero();
        Path config = configWithSecret(SECRET, "./data");
        Files.setAttribute(config, "unix:uid", 65534);
        Files.setAttribute(config, "unix:gid", 65534);

        Cli.Result served = serve("--config", config.toString());

        assertThat(refusal(served)).contains(config + " belongs to uid 65534").endsWith("run: chown 0 " + config);
        assertThat(dir.resolve("data")).doesNotExist();
    }

    /**
     * {@code serve} in a process of its own: standard error is all it prints, logs included, and
     * should it start after all instead of refusing, it is stopped after a minute rather than hang
     * this JVM.
     */
    private Cli.Result serve(String... args) throws IOException, InterruptedException {
        String[] withListen = Stream.concat(Stream.of("serve", "--listen", "127.0.0.1:0"), Stream.of(args))
                .toArray(String[]::new);
        return ChildCommand.run(dir, Map.of(), withListen);
    }

    /** A configuration file, mode 0600, whose one instance has {@code secretYaml} as its secret. */
    private Path configWithSecret(String secretYaml, String dataDir) throws IOException {
        return PrivateFiles.write(dir.resolve("cdp-access.yaml"), """
                listen: 127.0.0.1:0
                data_dir: %s
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: %s
                """.formatted(dataDir, secretYaml));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** The one line of a refused start (exit 2, nothing else on stderr). */
    private static String refusal(Cli.Result served) {
        assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
        assertThat(served.err().lines()).as(served.toString()).hasSize(1);
        return served.err().lines().findFirst().orElseThrow();
    }
}
