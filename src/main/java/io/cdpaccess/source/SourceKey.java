package io.cdpaccess.source;

import java.time.Instant;

/**
 * What one lookup asks about.
 *
 * @param user the key in this source's terms: the normalized REDCap username after the source's
 *     identity mapping (for instance the EHR username)
 * @param redcapUser the normalized REDCap username itself
 * @param projectId the REDCap project (only sources whose facts depend on it read it)
 * @param now the time facts are computed for ({@code rights_expired} and the like)
 */
public record SourceKey(String user, String redcapUser, long projectId, Instant now) {}
