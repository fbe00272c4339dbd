package io.cdpaccess.source;

import java.time.Instant;
import java.util.Optional;

/**
 * What one lookup asks about.
 *
 * @param user the key in this source's terms: the normalized REDCap username after the source's
 *     identity mapping (for instance the EHR username)
 * @param redcapUser the normalized REDCap username itself
 * @param projectId the REDCap project (only sources whose facts depend on it read it)
 * @param instance the name of the REDCap installation that asks ({@code instances:})
 * @param irbNumber the project's IRB number, for a source configured to be asked with it ({@code
 *     irb_number: redcap.project_irb_number}); empty for others
 * @param now the time facts are computed for ({@code rights_expired} and the like)
 */
public record SourceKey(
        String user, String redcapUser, long projectId, String instance, Optional<String> irbNumber, Instant now) {}
