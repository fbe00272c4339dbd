package io.cdpaccess.source.redcapdb;

import io.cdpaccess.source.SourceAnswer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The facts of one lookup, computed from the rows REDCap's tables gave: kept apart from the
 * JDBC around it so that what a row means (which time a date stands for, whose rights count)
 * reads in one place.
 *
 * <p>A {@code DATETIME} is a local time of the REDCap server, placed in {@code zone}: in a
 * daylight-saving gap it moves forward, in an overlap it takes the earlier instant (so an
 * expiry comes an hour early rather than late). A {@code DATE} ends at the start of the next day
 * in {@code zone}, as {@code --until 2027-06-30} does.
 */
final class RedcapFacts {

    static final String USER_EXISTS = "user_exists";
    static final String SUPER_USER = "super_user";
    static final String SUSPENDED = "suspended";
    static final String SUSPENDED_AT = "suspended_at";
    static final String ACCOUNT_EXPIRED = "account_expired";
    static final String ACCOUNT_EXPIRES_AT = "account_expires_at";
    static final String HAS_RIGHTS = "has_rights";
    static final String RIGHTS_EXPIRED = "rights_expired";
    static final String RIGHTS_EXPIRE_AT = "rights_expire_at";
    static final String ROLE_NAME = "role_name";
    static final String CAN_ADJUDICATE = "can_adjudicate";
    static final String CAN_MAP = "can_map";
    static final String PROJECT_EXISTS = "project_exists";
    static final String PROJECT_DELETED = "project_deleted";
    static final String PROJECT_DELETED_AT = "project_deleted_at";
    static final String PROJECT_STATUS = "project_status";
    static final String PROJECT_IRB_NUMBER = "project_irb_number";
    static final String CDP_ENABLED = "cdp_enabled";
    static final String CDP_TYPE = "cdp_type";
    static final String EHR_USERNAMES = "ehr_usernames";

    /** A {@code redcap_user_information} row. */
    record User(
            long uiId, boolean superUser, Optional<LocalDateTime> suspendedTime, Optional<LocalDateTime> expiration) {}

    /**
     * A {@code redcap_user_rights} row with its role, if it names one.
     *
     * @param roleId the row's {@code role_id}; when set, the rights are the role's
     * @param role the {@code redcap_user_roles} row of that id in this project, if there is one
     */
    record Rights(
            Optional<LocalDate> expiration,
            Optional<Long> roleId,
            boolean mapping,
            boolean adjudicate,
            Optional<Role> role) {}

    /** A {@code redcap_user_roles} row. */
    record Role(String name, boolean mapping, boolean adjudicate) {}

    /** A {@code redcap_projects} row. */
    record Project(
            Optional<String> irbNumber,
            Optional<Long> status,
            Optional<LocalDateTime> dateDeleted,
            boolean cdpEnabled,
            Optional<String> cdpType) {}

    private RedcapFacts() {}

    static SourceAnswer answer(
            Optional<User> user,
            Optional<Rights> rights,
            Optional<Project> project,
            List<String> ehrUsernames,
            Instant now,
            ZoneId zone) {
        Map<String, Object> f = new LinkedHashMap<>();
        Instant changesAt = null;

        f.put(USER_EXISTS, user.isPresent());
        f.put(SUPER_USER, user.map(User::superUser).orElse(false));
        Optional<Instant> suspendedAt = user.flatMap(User::suspendedTime).map(t -> local(t, zone));
        // Set is suspended, whatever the time: REDCap writes the moment it suspends, and a
        // value in the future can only be a clock or data error, where denying is the safe side.
        f.put(SUSPENDED, suspendedAt.isPresent());
        suspendedAt.ifPresent(t -> f.put(SUSPENDED_AT, t));
        Optional<Instant> accountEnd = user.flatMap(User::expiration).map(t -> local(t, zone));
        f.put(ACCOUNT_EXPIRED, accountEnd.map(end -> !now.isBefore(end)).orElse(false));
        accountEnd.ifPresent(t -> f.put(ACCOUNT_EXPIRES_AT, t));
        changesAt = earlier(changesAt, accountEnd, now);

        f.put(HAS_RIGHTS, rights.isPresent());
        Optional<Instant> rightsEnd = rights.flatMap(Rights::expiration).map(d -> endOfDay(d, zone));
        f.put(RIGHTS_EXPIRED, rightsEnd.map(end -> !now.isBefore(end)).orElse(false));
        rightsEnd.ifPresent(t -> f.put(RIGHTS_EXPIRE_AT, t));
        changesAt = earlier(changesAt, rightsEnd, now);
        boolean adjudicate = false;
        boolean mapping = false;
        if (rights.isPresent()) {
            Rights r = rights.get();
            if (r.roleId().isPresent()) {
                // In a role, the row's own columns are leftovers REDCap no longer reads; a role
                // id naming no role of this project gives no rights at all.
                adjudicate = r.role().map(Role::adjudicate).orElse(false);
                mapping = r.role().map(Role::mapping).orElse(false);
                r.role().ifPresent(role -> f.put(ROLE_NAME, role.name()));
            } else {
                adjudicate = r.adjudicate();
                mapping = r.mapping();
            }
        }
        f.put(CAN_ADJUDICATE, adjudicate);
        f.put(CAN_MAP, mapping);

        f.put(PROJECT_EXISTS, project.isPresent());
        Optional<Instant> deletedAt = project.flatMap(Project::dateDeleted).map(t -> local(t, zone));
        f.put(PROJECT_DELETED, deletedAt.isPresent());
        deletedAt.ifPresent(t -> f.put(PROJECT_DELETED_AT, t));
        project.flatMap(Project::status).ifPresent(s -> f.put(PROJECT_STATUS, s));
        project.flatMap(Project::irbNumber)
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .ifPresent(s -> f.put(PROJECT_IRB_NUMBER, s));
        boolean cdp = project.map(Project::cdpEnabled).orElse(false);
        f.put(CDP_ENABLED, cdp);
        if (cdp) {
            project.flatMap(Project::cdpType)
                    .map(s -> s.strip().toUpperCase(Locale.ROOT))
                    .filter(s -> !s.isEmpty())
                    .ifPresent(s -> f.put(CDP_TYPE, s));
        }
        f.put(EHR_USERNAMES, List.copyOf(ehrUsernames));
        return new SourceAnswer(user.isPresent(), f, Optional.ofNullable(changesAt));
    }

    /** A REDCap server's local time as an instant. */
    static Instant local(LocalDateTime time, ZoneId zone) {
        return time.atZone(zone).toInstant();
    }

    /** The first instant after {@code date} in {@code zone}. */
    static Instant endOfDay(LocalDate date, ZoneId zone) {
        return date.plusDays(1).atStartOfDay(zone).toInstant();
    }

    private static Instant earlier(Instant current, Optional<Instant> candidate, Instant now) {
        if (candidate.isEmpty() || !candidate.get().isAfter(now)) {
            return current; // already passed: that fact no longer changes
        }
        return current == null || candidate.get().isBefore(current) ? candidate.get() : current;
    }
}
