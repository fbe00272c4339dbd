package io.cdpaccess.source.redcapdb;

import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKind;
import java.time.Clock;

/**
 * REDCap's own MySQL/MariaDB database as a fact source ({@code type: redcapdb}): what REDCap
 * itself knows of a user in a project — the account, the project rights (or the role's), the
 * project and its Clinical Data Pull settings, and the EHR usernames REDCap recorded when the
 * user launched it from the EHR. These are the checks institutions publish: unexpired rights
 * with the adjudication right, an account neither suspended nor expired, administrators through.
 *
 * <p>Facts, as rules read them (the source named {@code redcap}):
 *
 * <pre>
 * redcap.user_exists          bool       a redcap_user_information row (the answer's "found")
 * redcap.super_user           bool       a REDCap administrator
 * redcap.suspended            bool       user_suspended_time is set
 * redcap.suspended_at         timestamp  user_suspended_time (unset when not suspended)
 * redcap.account_expired      bool       user_expiration has passed
 * redcap.account_expires_at   timestamp  user_expiration (unset when none)
 * redcap.has_rights           bool       a redcap_user_rights row for this project
 * redcap.rights_expired       bool       its expiration date has ended (false without a row)
 * redcap.rights_expire_at     timestamp  the end of that date (unset without a row or date)
 * redcap.role_name            string     the role the rights come from (unset without one)
 * redcap.can_adjudicate       bool       realtime_webservice_adjudicate, the role's if in one
 * redcap.can_map              bool       realtime_webservice_mapping, the role's if in one
 * redcap.project_exists       bool       a redcap_projects row
 * redcap.project_deleted      bool       date_deleted is set (deleted, or waiting to be purged)
 * redcap.project_deleted_at   timestamp  date_deleted (unset when not deleted)
 * redcap.project_status       int        status: 0 development, 1 production, 2 analysis, 3 archived
 * redcap.project_irb_number   string     project_irb_number (unset when empty)
 * redcap.cdp_enabled          bool       realtime_webservice_enabled
 * redcap.cdp_type             string     FHIR (CDP) or CUSTOM (DDP Custom); unset when not enabled
 * redcap.ehr_usernames        list       redcap_ehr_user_map's EHR usernames, of ehr_id if set
 * </pre>
 *
 * <p>An unknown user is not found: {@code user_exists}, {@code super_user}, {@code suspended} and
 * {@code account_expired} are false and {@code ehr_usernames} empty, so rules read plain facts
 * rather than fail; the rights and project facts are read as for anyone (REDCap can hold rights
 * for a name that has never logged in), so a rule that allows must also ask {@code user_exists}.
 *
 * <p>Times: {@code DATETIME} columns carry no zone and are the REDCap server's local time, read
 * in the source's {@code zone}; the rights' {@code expiration} is a date and, as everywhere in
 * the service, means the end of that day in that zone.
 */
public final class RedcapDbSource implements SourceKind {

    @Override
    public FactType.Struct facts(SourceConfig source) {
        FactType bool = FactType.Scalar.BOOL;
        FactType timestamp = FactType.Scalar.TIMESTAMP;
        FactType text = FactType.Scalar.STRING;
        return FactType.Struct.of(
                SourceKind.typeName(source),
                RedcapFacts.USER_EXISTS,
                bool,
                RedcapFacts.SUPER_USER,
                bool,
                RedcapFacts.SUSPENDED,
                bool,
                RedcapFacts.SUSPENDED_AT,
                timestamp,
                RedcapFacts.ACCOUNT_EXPIRED,
                bool,
                RedcapFacts.ACCOUNT_EXPIRES_AT,
                timestamp,
                RedcapFacts.HAS_RIGHTS,
                bool,
                RedcapFacts.RIGHTS_EXPIRED,
                bool,
                RedcapFacts.RIGHTS_EXPIRE_AT,
                timestamp,
                RedcapFacts.ROLE_NAME,
                text,
                RedcapFacts.CAN_ADJUDICATE,
                bool,
                RedcapFacts.CAN_MAP,
                bool,
                RedcapFacts.PROJECT_EXISTS,
                bool,
                RedcapFacts.PROJECT_DELETED,
                bool,
                RedcapFacts.PROJECT_DELETED_AT,
                timestamp,
                RedcapFacts.PROJECT_STATUS,
                FactType.Scalar.INT,
                RedcapFacts.PROJECT_IRB_NUMBER,
                text,
                RedcapFacts.CDP_ENABLED,
                bool,
                RedcapFacts.CDP_TYPE,
                text,
                RedcapFacts.EHR_USERNAMES,
                new FactType.ListOf(text));
    }

    /** Rights and the project's settings are per project. */
    @Override
    public boolean perProject(SourceConfig source) {
        return true;
    }

    /** A pool that connects in the background: a database down at start fails lookups, not the start. */
    @Override
    public SourceClient open(SourceConfig source, Clock clock) throws SourceException {
        if (!(source.settings() instanceof RedcapDbSettings settings)) {
            throw new SourceException("source '" + source.name() + "' is of type " + source.type() + ", not redcapdb");
        }
        return RedcapDbClient.open(source.name(), settings, source.timeout());
    }
}
