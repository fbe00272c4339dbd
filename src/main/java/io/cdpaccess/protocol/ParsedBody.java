package io.cdpaccess.protocol;

/** What a request body turned out to be: a well-formed question, or why it is not one. */
public sealed interface ParsedBody {

    /** A well-formed request. */
    record Valid(AccessRequest request) implements ParsedBody {}

    /**
     * A body that is not a well-formed request. The raw fields (each possibly null, truncated to
     * {@link RequestParser#MAX_FIELD_LENGTH} characters) are kept for the decision record, so an
     * administrator can see what REDCap actually sent.
     *
     * @param empty true for an empty body, which is what REDCap's "Test" button sends
     * @param problem a short description safe to log
     */
    record Invalid(boolean empty, String problem, String user, String projectId, String redcapUrl)
            implements ParsedBody {}
}
