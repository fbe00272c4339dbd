package io.cdpaccess.store;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an administrator asks for when granting access.
 *
 * @param user already normalized
 * @param projectId empty for every project of the instance
 * @param validUntil exclusive end; empty for no end
 */
public record NewGrant(
        String instance,
        String user,
        OptionalLong projectId,
        Instant validFrom,
        Optional<Instant> validUntil,
        String grantedBy,
        String reason) {}
