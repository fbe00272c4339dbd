package io.cdpaccess.store;

import java.time.Instant;
import java.util.Optional;

/**
 * An administrator's record of one REDCap project: approved for EHR data or suspended, with its
 * IRB protocol number and an optional expiry (after which it counts as not approved).
 */
public record Project(
        String instance,
        long projectId,
        Status status,
        Optional<String> irbNumber,
        Optional<Instant> expiresAt,
        Optional<String> note,
        Instant updatedAt,
        String updatedBy) {

    /** Project status as stored. */
    public enum Status {
        APPROVED,
        SUSPENDED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status fromLabel(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public boolean expiredAt(Instant now) {
        return expiresAt.map(e -> !now.isBefore(e)).orElse(false);
    }
}
