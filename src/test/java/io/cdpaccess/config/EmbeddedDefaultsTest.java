package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cdpaccess.net.HostPort;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDefaultsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-15T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    @Test
    void createsAnOwnerOnlyDirectoryAndConfigFile() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path data = tmp.resolve("deep/cdp-access-data");
        EmbeddedDefaults.Setup setup = EmbeddedDefaults.ensure(data, CLOCK);

        assertThat(setup.created()).isTrue();
        assertThat(setup.configFile()).isEqualTo(data.resolve(EmbeddedDefaults.CONFIG_FILE));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(setup.configFile())))
                .isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files).as("no temporary files left behind").containsExactly(setup.configFile());
        }
    }

    @Test
    void anExistingDirectoryKeepsItsPermissions() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

        EmbeddedDefaults.Setup setup = EmbeddedDefaults.ensure(shared, CLOCK);

        assertThat(setup.created()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(setup.configFile())))
                .isEqualTo("rw-------");
    }

    @Test
    void generatedFileIsAValidConfiguration() throws Exception {
        Path data = tmp.resolve("data");
        EmbeddedDefaults.Setup setup = EmbeddedDefaults.ensure(data, CLOCK);
        ServiceConfig config = new ConfigLoader(Map.of()).load(setup.configFile());

        assertThat(config.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(config.dataDir()).isEqualTo(data);
        assertThat(config.store().url()).isEqualTo(StoreConfig.embeddedUrl(data));
        assertThat(config.instances()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("default");
            assertThat(i.redcapUrl()).isEmpty();
            assertThat(i.allowFrom()).isEmpty();
            assertThat(i.secret().plainText())
                    .get()
                    .asString()
                    .matches("[A-Za-z0-9_-]{43}")
                    .satisfies(secret -> assertThat(CallerSecret.estimatedBits(secret))
                            .isGreaterThanOrEqualTo(CallerSecret.MIN_BITS));
        });
        assertThat(Files.readString(setup.configFile())).contains("2026-01-15T10:00:00Z");
    }

    @Test
    void secondCallKeepsTheFileAndItsSecret() throws Exception {
        Path data = tmp.resolve("data");
        EmbeddedDefaults.Setup first = EmbeddedDefaults.ensure(data, CLOCK);
        String firstSecret = secretOf(first.configFile());
        String firstText = Files.readString(first.configFile());

        EmbeddedDefaults.Setup second =
                EmbeddedDefaults.ensure(data, Clock.offset(CLOCK, java.time.Duration.ofDays(1)));
        assertThat(second.created()).isFalse();
        assertThat(second.configFile()).isEqualTo(first.configFile());
        assertThat(secretOf(second.configFile())).isEqualTo(firstSecret);
        assertThat(Files.readString(second.configFile())).isEqualTo(firstText);
    }

    @Test
    void differentDataDirectoriesGetDifferentSecrets() throws Exception {
        String a = secretOf(EmbeddedDefaults.ensure(tmp.resolve("a"), CLOCK).configFile());
        String b = secretOf(EmbeddedDefaults.ensure(tmp.resolve("b"), CLOCK).configFile());
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void relativeDataDirIsMadeAbsolute() {
        EmbeddedDefaults.Setup setup = EmbeddedDefaults.ensure(tmp.resolve("x/../data"), CLOCK);
        assertThat(setup.configFile())
                .isAbsolute()
                .isEqualTo(tmp.resolve("data").resolve(EmbeddedDefaults.CONFIG_FILE));
    }

    private static String secretOf(Path file) throws ConfigException {
        return new ConfigLoader(Map.of())
                .load(file)
                .instances()
                .get(0)
                .secret()
                .plainText()
                .orElseThrow();
    }
}
