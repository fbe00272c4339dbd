package io.cdpaccess.protocol;

/**
 * Every answer the REDCap-facing endpoint can write. Only {@link #ALLOW} carries the body
 * {@code 1}: REDCap grants access for any status below 500 (except 404 and 407) whose trimmed
 * body is {@code 1}, so a refusal with body {@code 1} would be an allow. Making the body a
 * property of the constant keeps that rule out of the hands of handler code.
 */
public enum Answer {
    /** 200 {@code 1}: the user may use EHR data in this project. */
    ALLOW(200, "1"),
    /** 200 {@code 0}: denied, including malformed requests and REDCap's "Test" button. */
    DENY(200, "0"),
    /**
     * 403 {@code 0}: {@code /metrics} for an address outside {@code metrics.allow_from}. Never on
     * {@code /user-access}: REDCap's Test button would call a 403 "Success!".
     */
    FORBIDDEN(403, "0"),
    /**
     * 404 {@code 0}: every refusal on {@code /user-access} (no or wrong secret, address not allowed,
     * slowed after failures, wrong method, body too large, a redirect that dropped the body) and any
     * path the listener does not serve. A 404 is the one status below 500 that REDCap counts as a
     * failed call, so its DDP Test button shows a failure instead of "Success!"; users see no
     * difference, REDCap stores {@code 0} for it as for a deny.
     */
    REFUSED(404, "0"),
    /** 503 {@code 0}: the service could not decide (store unavailable, deadline passed). */
    UNAVAILABLE(503, "0");

    /** The content type of every answer. */
    public static final String CONTENT_TYPE = "text/plain; charset=utf-8";

    private final int status;
    private final String body;

    Answer(int status, String body) {
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
