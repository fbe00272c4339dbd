package io.cdpaccess.config;

import io.cdpaccess.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the signed checkpoints of the record's hash chains go, besides the log (standard error,
 * kept by systemd's journal or the container runtime apart from the database).
 *
 * @param checkpointEvery how often a running server emits a checkpoint of each of its chains
 *     whose head moved (and always once when it stops)
 * @param checkpointFile a file checkpoints are appended to, to ship elsewhere
 * @param checkpointSyslog a syslog server checkpoints are sent to (UDP, RFC 5424)
 */
public record AuditConfig(
        Duration checkpointEvery, Optional<Path> checkpointFile, Optional<HostPort> checkpointSyslog) {

    public static final AuditConfig DEFAULT =
            new AuditConfig(Duration.ofMinutes(5), Optional.empty(), Optional.empty());
}
