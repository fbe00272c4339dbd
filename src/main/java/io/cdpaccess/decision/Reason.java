package io.cdpaccess.decision;

/**
 * Why an answer was given, as a stable code for the decision log, exports and metrics, with a
 * sentence for the administrator who asks "why was I denied?".
 */
public enum Reason {
    GRANT("grant", "an active grant covers this user, instance and project"),
    NO_GRANT("no-grant", "no grant covers this user, instance and project"),
    GRANT_EXPIRED("grant-expired", "the user's grant for this project has ended"),
    GRANT_NOT_YET_VALID("grant-not-yet-valid", "the user's grant for this project has not started yet"),
    GRANT_REVOKED("grant-revoked", "the user's grant for this project was revoked"),
    BLOCKED("blocked", "the user is blocked on every instance"),
    PROJECT_SUSPENDED("project-suspended", "the project is suspended"),
    PROJECT_EXPIRED("project-expired", "the project's approval has expired"),
    INSTANCE_MISMATCH("instance-mismatch", "redcap_url is not the REDCap installation this secret belongs to"),
    BAD_REQUEST("bad-request", "the request is not a well-formed user-access call"),
    EMPTY_REQUEST("empty-request", "empty request, as sent by REDCap's Test button"),
    UNAUTHENTICATED("unauthenticated", "no configured secret matches the one presented"),
    ADDRESS_NOT_ALLOWED("address-not-allowed", "the caller's address is not in the instance's allow_from"),
    RATE_LIMITED("rate-limited", "too many failed authentications from this address"),
    METHOD_NOT_ALLOWED("method-not-allowed", "only POST is answered"),
    BODY_TOO_LARGE("body-too-large", "the request body is larger than 16 KiB"),
    DEADLINE_EXCEEDED("deadline-exceeded", "no answer could be made within the deadline"),
    LOG_UNAVAILABLE("log-unavailable", "the decision could not be recorded, so it was not given"),
    INTERNAL_ERROR("internal-error", "an unexpected error; see the service log");

    private final String code;
    private final String description;

    Reason(String code, String description) {
        this.code = code;
        this.description = description;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }
}
