package io.cdpaccess.store;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Permission for one user to use EHR data in one project (or every project) of one REDCap
 * instance, for a time window. Revoked grants are kept, with who revoked them and why.
 *
 * @param validUntil exclusive end; empty means no end
 * @param projectId empty means every project of the instance
 */
public record Grant(
        String id,
        String instance,
        String user,
        OptionalLong projectId,
        Instant validFrom,
        Optional<Instant> validUntil,
        Instant grantedAt,
        String grantedBy,
        String reason,
        Optional<Instant> revokedAt,
        Optional<String> revokedBy,
        Optional<String> revokeReason) {

    /** Whether this grant covers the given project. */
    public boolean covers(long project) {
        return projectId.isEmpty() || projectId.getAsLong() == project;
    }

    public boolean revoked() {
        return revokedAt.isPresent();
    }

    /** Whether the grant is in force at {@code now}: not revoked, started, not ended. */
    public boolean activeAt(Instant now) {
        return stateAt(now) == GrantState.ACTIVE;
    }

    /** Where the grant stands at {@code now}; a revoked grant counts as revoked whatever its window. */
    public GrantState stateAt(Instant now) {
        if (revoked()) {
            return GrantState.REVOKED;
        }
        if (now.isBefore(validFrom)) {
            return GrantState.FUTURE;
        }
        return validUntil.map(now::isBefore).orElse(true) ? GrantState.ACTIVE : GrantState.ENDED;
    }

    /** This grant with its end moved to {@code until}. */
    public Grant extendedTo(Instant until) {
        return new Grant(
                id,
                instance,
                user,
                projectId,
                validFrom,
                Optional.of(until),
                grantedAt,
                grantedBy,
                reason,
                revokedAt,
                revokedBy,
                revokeReason);
    }

    /** This grant as revoked at {@code at} by {@code actor} for {@code why}. */
    public Grant revoked(Instant at, String actor, String why) {
        return new Grant(
                id,
                instance,
                user,
                projectId,
                validFrom,
                validUntil,
                grantedAt,
                grantedBy,
                reason,
                Optional.of(at),
                Optional.of(actor),
                Optional.of(why));
    }

    /** Project as shown to people: the id, or {@code *} for every project. */
    public String projectLabel() {
        return projectId.isPresent() ? Long.toString(projectId.getAsLong()) : "*";
    }
}
