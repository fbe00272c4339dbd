package io.cdpaccess.protocol;

import java.util.List;
import java.util.Map;

/**
 * Turns the body REDCap POSTs into an {@link AccessRequest}, or into the reason it cannot be one.
 *
 * <p>Each of {@code user}, {@code project_id} and {@code redcap_url} must appear exactly once,
 * non-empty, at most {@value #MAX_FIELD_LENGTH} characters and free of control characters;
 * {@code project_id} must be a positive integer in ASCII decimal digits. Anything else is an
 * {@link ParsedBody.Invalid} — which the service answers with a deny, never a guess. Control
 * characters are the line breakers of {@link UnsafeText}; its invisible characters (bidirectional
 * overrides, zero-width spaces) are accepted, as a directory may hold them, and shown escaped. Other fields
 * are ignored, as REDCap may add some in future versions.
 */
public final class RequestParser {

    /** Longest accepted value of any field; REDCap's own columns are varchar(255). */
    public static final int MAX_FIELD_LENGTH = 255;

    static final String USER = "user";
    static final String PROJECT_ID = "project_id";
    static final String REDCAP_URL = "redcap_url";

    private RequestParser() {}

    /** Parses a request body with its {@code Content-Type} header (may be null). */
    public static ParsedBody parse(byte[] body, String contentType) {
        if (body.length == 0) {
            return new ParsedBody.Invalid(true, "empty request (REDCap's Test button sends one)", null, null, null);
        }
        Map<String, List<String>> fields;
        try {
            fields = FormBody.parse(body, contentType);
        } catch (MalformedBodyException e) {
            return new ParsedBody.Invalid(false, e.getMessage(), null, null, null);
        }
        return fromFields(fields);
    }

    /** Validates already-decoded form fields. */
    public static ParsedBody fromFields(Map<String, List<String>> fields) {
        String user = first(fields, USER);
        String projectId = first(fields, PROJECT_ID);
        String redcapUrl = first(fields, REDCAP_URL);
        String problem = fieldProblem(fields, USER);
        if (problem == null) {
            problem = fieldProblem(fields, PROJECT_ID);
        }
        if (problem == null) {
            problem = fieldProblem(fields, REDCAP_URL);
        }
        if (problem == null && user.strip().isEmpty()) {
            problem = "user is blank";
        }
        long pid = 0;
        if (problem == null) {
            pid = parseProjectId(projectId);
            if (pid <= 0) {
                problem = "project_id is not a positive integer";
            }
        }
        RedcapUrl url = null;
        if (problem == null) {
            try {
                url = RedcapUrl.parse(redcapUrl);
            } catch (IllegalArgumentException e) {
                problem = "redcap_url: " + e.getMessage();
            }
        }
        if (problem != null) {
            return new ParsedBody.Invalid(false, problem, truncate(user), truncate(projectId), truncate(redcapUrl));
        }
        return new ParsedBody.Valid(AccessRequest.of(user, pid, url));
    }

    private static String fieldProblem(Map<String, List<String>> fields, String name) {
        List<String> values = fields.get(name);
        if (values == null) {
            return name + " is missing";
        }
        if (values.size() > 1) {
            return name + " is given " + values.size() + " times";
        }
        String value = values.get(0);
        if (value.isEmpty()) {
            return name + " is empty";
        }
        if (value.length() > MAX_FIELD_LENGTH) {
            return name + " is longer than " + MAX_FIELD_LENGTH + " characters";
        }
        if (UnsafeText.hasLineBreaker(value)) {
            return name + " contains a control character";
        }
        return null;
    }

    /** Returns the id, or -1 when the text is not 1–18 ASCII digits with a positive value. */
    private static long parseProjectId(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A field as kept on the record of a malformed request: cut to the longest accepted, marked when cut. */
    private static String truncate(String value) {
        if (value == null || value.length() <= MAX_FIELD_LENGTH) {
            return value;
        }
        return Texts.truncate(value, MAX_FIELD_LENGTH) + "…";
    }
}
