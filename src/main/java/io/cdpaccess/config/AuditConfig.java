package io.cdpaccess.config;

import io.cdpaccess.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Where the signed checkpoints of the record's hash chains go, besides the log (standard error,
 * kept by systemd's journal or the container runtime apart from the database), and how long the
 * record is kept.
 *
 * @param checkpointEvery how often a running server emits a checkpoint of each of its chains
 *     whose head moved (and always once when it stops)
 * @param checkpointFile a file checkpoints are appended to, to ship elsewhere
 * @param checkpointSyslog a syslog server checkpoints are sent to (UDP, RFC 5424)
 * @param retention how long decision and change records are kept before {@code audit purge}
 *     removes them: calendar years or days (HIPAA keeps documentation six years)
 */
public record AuditConfig(
        Duration checkpointEvery,
        Optional<Path> checkpointFile,
        Optional<HostPort> checkpointSyslog,
        Period retention) {

    /** Six years: HIPAA's retention of documentation (45 CFR 164.316(b)(2)(i)). */
    public static final Period DEFAULT_RETENTION = Period.ofYears(6);

    public static final AuditConfig DEFAULT =
            new AuditConfig(Duration.ofMinutes(5), Optional.empty(), Optional.empty(), DEFAULT_RETENTION);

    /** The oldest moment a record is kept from, at {@code now}: the retention back, in calendar terms (UTC). */
    public Instant retentionCutoff(Instant now) {
        return now.atOffset(ZoneOffset.UTC).minus(retention).toInstant();
    }

    /** The retention as configured: {@code 6y}, {@code 2190d}. */
    public static String format(Period p) {
        return p.getYears() > 0 ? p.getYears() + "y" : p.getDays() + "d";
    }
}
