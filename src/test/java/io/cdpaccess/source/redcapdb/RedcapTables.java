package io.cdpaccess.source.redcapdb;

import io.cdpaccess.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * REDCap's tables that the {@code redcapdb} source reads, built from the column facts in
 * REDCAP.md (never from REDCap's own SQL files, which are Vanderbilt's licensed code), with the
 * {@code _unicode_ci} collation REDCap's tables use, and rows of the kinds real installations
 * hold: administrators, suspended and expired accounts, rights expiring around a pinned day,
 * roles, deleted projects, both kinds of data pull, several EHRs.
 *
 * <p>The pinned "now" is {@link #NOW}: noon on 2026-12-01 in America/Chicago, the REDCap
 * server's zone.
 */
final class RedcapTables {

    /** 2026-12-01 12:00 CST. */
    static final java.time.Instant NOW = java.time.Instant.parse("2026-12-01T18:00:00Z");

    private RedcapTables() {}

    static final String[] SCHEMA = {
        "CREATE TABLE redcap_user_information ("
                + " ui_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                + " username VARCHAR(191) NOT NULL,"
                + " super_user INT NOT NULL DEFAULT 0,"
                + " user_suspended_time DATETIME NULL,"
                + " user_expiration DATETIME NULL,"
                + " UNIQUE KEY username (username)"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE TABLE redcap_projects ("
                + " project_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                + " project_irb_number VARCHAR(255) NULL,"
                + " status INT NOT NULL DEFAULT 0,"
                + " date_deleted DATETIME NULL,"
                + " realtime_webservice_enabled INT NOT NULL DEFAULT 0,"
                + " realtime_webservice_type ENUM('CUSTOM','FHIR') NULL"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE TABLE redcap_user_roles ("
                + " role_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                + " project_id INT NOT NULL,"
                + " role_name TEXT NULL,"
                + " realtime_webservice_mapping INT NOT NULL DEFAULT 0,"
                + " realtime_webservice_adjudicate INT NOT NULL DEFAULT 0"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE TABLE redcap_user_rights ("
                + " project_id INT NOT NULL,"
                + " username VARCHAR(191) NOT NULL,"
                + " expiration DATE NULL,"
                + " role_id INT NULL,"
                + " realtime_webservice_mapping INT NOT NULL DEFAULT 0,"
                + " realtime_webservice_adjudicate INT NOT NULL DEFAULT 0,"
                + " PRIMARY KEY (project_id, username)"
                + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    };

    static final String EHR_MAP = "CREATE TABLE redcap_ehr_user_map ("
            + " ehr_username VARCHAR(191) NULL,"
            + " redcap_userid INT NULL,"
            + " ehr_id INT NULL,"
            + " UNIQUE KEY ehr_username (ehr_id, ehr_username),"
            + " UNIQUE KEY redcap_userid (ehr_id, redcap_userid)"
            + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";

    /** Before REDCap could talk to several EHRs: no {@code ehr_id}. */
    static final String EHR_MAP_ONE_EHR = "CREATE TABLE redcap_ehr_user_map ("
            + " ehr_username VARCHAR(191) NULL,"
            + " redcap_userid INT NULL,"
            + " UNIQUE KEY ehr_username (ehr_username),"
            + " UNIQUE KEY redcap_userid (redcap_userid)"
            + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";

    static final String[] ROWS = {
        // Projects: 42 CDP (FHIR) in production; 43 DDP Custom; 44 no data pull; 45 deleted
        // (date_deleted in REDCap's local time, waiting for the purge); 46 deleted in summer.
        "INSERT INTO redcap_projects (project_id, project_irb_number, status, date_deleted,"
                + " realtime_webservice_enabled, realtime_webservice_type) VALUES"
                + " (42, ' IRB-2026-001 ', 1, NULL, 1, 'FHIR'),"
                + " (43, '', 1, NULL, 1, 'CUSTOM'),"
                + " (44, NULL, 0, NULL, 0, 'CUSTOM'),"
                + " (45, 'IRB-2019-117', 1, '2026-11-20 08:00:00', 1, 'FHIR'),"
                + " (46, NULL, 3, '2026-07-01 17:00:00', 0, NULL)",
        "INSERT INTO redcap_user_information (ui_id, username, super_user, user_suspended_time, user_expiration) VALUES"
                + " (1, 'alice', 0, NULL, NULL),"
                + " (2, 'site_admin', 1, NULL, NULL),"
                + " (3, 'sam', 0, '2026-11-15 09:30:00', NULL),"
                + " (4, 'eve', 0, NULL, '2026-11-30 17:00:00'),"
                + " (5, 'fred', 0, NULL, '2026-12-01 14:00:00'),"
                + " (6, 'tina', 0, NULL, NULL),"
                + " (7, 'yuri', 0, NULL, NULL),"
                + " (8, 'tom', 0, NULL, NULL),"
                + " (9, 'rosa', 0, NULL, NULL),"
                + " (10, 'rolf', 0, NULL, NULL),"
                + " (11, 'dana', 0, NULL, NULL),"
                + " (12, 'nora', 0, NULL, NULL),"
                + " (13, 'JDoe', 0, NULL, NULL),"
                + " (14, 'müller', 0, NULL, NULL),"
                + " (15, 'summer', 0, '2026-07-01 17:00:00', '2027-07-01 17:00:00'),"
                + " (16, 'frank', 0, NULL, '2026-12-01 15:00:00'),"
                + " (17, 'o''brien', 0, NULL, NULL)",
        "INSERT INTO redcap_user_roles (role_id, project_id, role_name, realtime_webservice_mapping,"
                + " realtime_webservice_adjudicate) VALUES"
                + " (7, 42, 'EHR adjudicators', 1, 1),"
                + " (8, 42, 'Viewers', 0, 0),"
                + " (9, 43, 'Coordinators', 1, 1)",
        "INSERT INTO redcap_user_rights (project_id, username, expiration, role_id, realtime_webservice_mapping,"
                + " realtime_webservice_adjudicate) VALUES"
                + " (42, 'alice', NULL, NULL, 1, 1),"
                + " (43, 'alice', NULL, NULL, 0, 1),"
                + " (45, 'alice', NULL, NULL, 1, 1),"
                + " (42, 'sam', NULL, NULL, 1, 1),"
                + " (42, 'eve', NULL, NULL, 1, 1),"
                + " (42, 'fred', NULL, NULL, 1, 1),"
                + " (42, 'tina', '2026-12-01', NULL, 1, 1),"
                + " (42, 'yuri', '2026-11-30', NULL, 1, 1),"
                + " (42, 'tom', '2026-12-02', NULL, 1, 1),"
                // In a role the row's own columns are stale: the role's count.
                + " (42, 'rosa', NULL, 7, 0, 0),"
                + " (42, 'rolf', NULL, 8, 1, 1),"
                // Role 9 is project 43's: it gives nothing in 42.
                + " (42, 'dana', NULL, 9, 1, 1),"
                + " (42, 'jdoe', NULL, NULL, 0, 1),"
                + " (42, 'müller', NULL, NULL, 1, 1),"
                // Added before ever logging in: rights, but no account yet.
                + " (42, 'ghost', NULL, NULL, 1, 1),"
                + " (42, 'frank', '2026-12-01', NULL, 1, 1),"
                + " (42, 'o''brien', NULL, NULL, 1, 1)",
        // alice has launched REDCap from two EHRs (ids 1 and 2); JDoe from one.
        "INSERT INTO redcap_ehr_user_map (ehr_username, redcap_userid, ehr_id) VALUES"
                + " ('acerner', 1, 2), ('ALICE.EPIC', 1, 1), ('jdoe1', 13, 1),"
                // Rows without a name say nothing.
                + " ('  ', 12, 1), (NULL, 12, 2)",
    };

    static void create(TestDatabase db, String ehrMap, String... rows) {
        try (Connection c = DriverManager.getConnection(
                        db.config().url(),
                        db.config().user(),
                        db.config().password().reveal());
                Statement s = c.createStatement()) {
            for (String sql : SCHEMA) {
                s.execute(sql);
            }
            s.execute(ehrMap);
            for (String sql : rows) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot build REDCap's tables: " + e.getMessage(), e);
        }
    }
}
