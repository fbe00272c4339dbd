package io.cdpaccess.config;

import java.time.ZoneId;
import java.util.Optional;

/**
 * REDCap's own MySQL/MariaDB database as a fact source, read with a read-only account.
 *
 * @param url {@code jdbc:mariadb://...} or {@code jdbc:mysql://...}
 * @param user the database account
 * @param password its password (from the environment)
 * @param poolSize connections kept open
 * @param zone the REDCap server's time zone: its {@code DATETIME} columns carry none
 * @param ehrId which EHR's usernames {@code ehr_usernames} lists ({@code redcap_ehr_user_map.ehr_id}); all when absent
 */
public record RedcapDbSettings(
        String url, String user, Secret password, int poolSize, ZoneId zone, Optional<Long> ehrId)
        implements SourceSettings {

    @Override
    public String type() {
        return "redcapdb";
    }
}
