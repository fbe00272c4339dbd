package io.cdpaccess.store;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which grants to list.
 *
 * @param user normalized
 * @param projectId grants covering this project (including every-project grants)
 * @param includeInactive also ended and revoked grants; otherwise active and future ones only
 */
public record GrantFilter(
        Optional<String> instance, Optional<String> user, OptionalLong projectId, boolean includeInactive) {}
