package io.cdpaccess.config;

import io.cdpaccess.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * The zero-configuration setup: a data directory ({@code ./cdp-access-data} unless told
 * otherwise) holding the SQLite store and a generated configuration file with a random caller
 * secret. Generated once; later runs read the same file, so the secret, and with it the URL
 * pasted into REDCap, stays the same. The file is an ordinary configuration an administrator can
 * edit (to bind {@code redcap_url}, add instances, ...).
 */
public final class EmbeddedDefaults {

    /** Directory used when no configuration is named. */
    public static final Path DEFAULT_DATA_DIR = Path.of("cdp-access-data");
    /** Name of the generated configuration file inside the data directory. */
    public static final String CONFIG_FILE = "cdp-access.yaml";

    private EmbeddedDefaults() {}

    /** What {@link #ensure} found or made. */
    public record Setup(Path configFile, boolean created) {}

    /**
     * Returns the configuration file inside {@code dataDir}, creating the directory (owner-only
     * permissions) and the file (owner read/write only, as it holds the secret) if missing.
     */
    public static Setup ensure(Path dataDir, Clock clock) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path file = dir.resolve(CONFIG_FILE);
        if (Files.exists(file)) {
            return new Setup(file, false);
        }
        try {
            OwnerOnly.createDirectories(dir); // only a directory made now: never re-mode someone's existing one
            Path temp = Files.createTempFile(dir, ".cdp-access", ".yaml"); // 0600, whatever the umask
            Files.writeString(
                    temp,
                    render(CallerSecret.generate(), clock),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            try {
                // Atomic, and refuses to replace a file another process generated meanwhile.
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException raced) {
                return new Setup(file, false);
            } catch (UnsupportedOperationException | IOException noLinks) {
                Files.move(temp, file);
                return new Setup(file, true);
            } finally {
                Files.deleteIfExists(temp);
            }
            return new Setup(file, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    private static String render(String secret, Clock clock) {
        return "# cdp-access configuration, generated on first run at " + clock.instant() + ".\n"
                + "# Every key is described in config/cdp-access.example.yaml. Edit freely; restart `serve` to apply.\n"
                + "listen: 127.0.0.1:8080\n"
                + "data_dir: .\n"
                + "instances:\n"
                + "  - name: default\n"
                + "    # \"*\" answers any REDCap installation that knows the secret. Replace it with your\n"
                + "    # REDCap's base URL (e.g. https://redcap.example.edu/) so that only that one is answered.\n"
                + "    redcap_url: \"*\"\n"
                + "    secret: \"" + secret + "\"\n";
    }
}
