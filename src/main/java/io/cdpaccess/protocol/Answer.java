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
    /** 403 {@code 0}: the caller is not an authenticated REDCap installation. */
    FORBIDDEN(403, "0"),
    /** 404 {@code 0}: no such path on the listener (REDCap counts a 404 as a failure, so as {@code 0}). */
    NOT_FOUND(404, "0"),
    /** 405 {@code 0}: only POST is answered. */
    METHOD_NOT_ALLOWED(405, "0"),
    /** 413 {@code 0}: the body is larger than any REDCap request. */
    TOO_LARGE(413, "0"),
    /** 429 {@code 0}: too many failed authentications from this address. */
    TOO_MANY_FAILURES(429, "0"),
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
