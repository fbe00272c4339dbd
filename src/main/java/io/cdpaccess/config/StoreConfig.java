package io.cdpaccess.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The service's own database.
 *
 * @param url JDBC URL (the SQLite file {@code store.db} in the data directory by default;
 *     PostgreSQL or MariaDB when scaling out)
 * @param user database user, may be empty
 * @param password database password, may be empty
 * @param poolSize maximum connections held open
 * @param refreshInterval how often a running server looks for changes made by the CLI or by
 *     another server
 * @param busyTimeout how long a SQLite connection waits for another's write lock before failing:
 *     shorter than the request deadline, so a busy store turns into a 503 in time
 */
public record StoreConfig(
        String url, String user, Secret password, int poolSize, Duration refreshInterval, Duration busyTimeout) {

    /** The file name of the embedded store inside the data directory. */
    public static final String EMBEDDED_FILE = "store.db";

    /** The SQLite URL used when {@code store.url} is not set. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:sqlite:" + dataDir.toAbsolutePath().normalize().resolve(EMBEDDED_FILE);
    }

    /** Half the deadline: the other half is left for deciding and answering. */
    public static Duration busyTimeoutFor(Duration deadline) {
        return deadline.dividedBy(2);
    }
}
