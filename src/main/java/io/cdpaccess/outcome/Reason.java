package io.cdpaccess.outcome;

/**
 * Reasons given outside the policy: the request never reached it (caller refused, malformed) or
 * no answer could be made. A policy's own reasons are its rule names; none may reuse these codes.
 */
public enum Reason {
    FACT_ERROR("fact-error", "a fact the policy needed could not be read, so its deny is not a considered no"),
    INSTANCE_MISMATCH("instance-mismatch", "redcap_url is not the REDCap installation this secret belongs to"),
    BAD_REQUEST("bad-request", "the request is not a well-formed user-access call"),
    EMPTY_REQUEST("empty-request", "empty request, as sent by REDCap's Test button"),
    UNAUTHENTICATED("unauthenticated", "no configured secret matches the one presented"),
    ADDRESS_NOT_ALLOWED("address-not-allowed", "the caller's address is not in the instance's allow_from"),
    RATE_LIMITED(
            "rate-limited",
            "another failed authentication from a caller beyond its allowance of failures; answered late"),
    METHOD_NOT_ALLOWED("method-not-allowed", "only POST is answered"),
    REDIRECTED_WITHOUT_BODY(
            "redirected-without-body",
            "the call lost its body to a redirect in front of the service; paste the final URL into REDCap"),
    BODY_TOO_LARGE("body-too-large", "the request body is larger than 16 KiB"),
    DEADLINE_EXCEEDED("deadline-exceeded", "no answer could be made within the deadline"),
    LOG_UNAVAILABLE("log-unavailable", "the decision could not be recorded, so it was not given"),
    INTERNAL_ERROR("internal-error", "an unexpected error; see the service log"),
    REFUSALS_SUMMARIZED(
            "refusals-summarized",
            "refusals from one address in one minute beyond those recorded one by one, counted in one row");

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

    /** Whether a rule name would be mistaken for one of these codes. */
    public static boolean isReserved(String code) {
        for (Reason r : values()) {
            if (r.code.equals(code)) {
                return true;
            }
        }
        return false;
    }
}
