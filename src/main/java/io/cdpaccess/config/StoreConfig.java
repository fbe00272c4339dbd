package io.cdpaccess.config;

import java.time.Duration;

/**
 * The service's own database.
 *
 * @param url JDBC URL (H2 file database under the data directory by default; PostgreSQL or
 *     MariaDB when scaling out)
 * @param user database user, may be empty
 * @param password database password, may be empty
 * @param poolSize maximum connections held open
 * @param refreshInterval how often a running server looks for changes made by the CLI or by
 *     another server
 */
public record StoreConfig(String url, String user, Secret password, int poolSize, Duration refreshInterval) {

    /** The H2 URL used when {@code store.url} is not set. */
    public static String embeddedUrl(java.nio.file.Path dataDir) {
        // AUTO_SERVER lets the CLI open the database while `serve` holds it. WRITE_DELAY=0 makes H2
        // write each commit to its file before returning: with the default delay a killed process
        // loses the last ~half second of committed decisions.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("store")
                + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }
}
