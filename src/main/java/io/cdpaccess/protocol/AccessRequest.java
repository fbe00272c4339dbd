package io.cdpaccess.protocol;

/**
 * One well-formed question from REDCap: may {@code user} use EHR data in project
 * {@code projectId} of the installation at {@code redcapUrl}?
 *
 * @param user the username exactly as REDCap sent it (kept for the record)
 * @param normalizedUser {@link Username#normalize(String)} of {@code user}, used for every lookup
 * @param projectId the REDCap project id, positive
 * @param redcapUrl the sending installation's base address, canonical
 */
public record AccessRequest(String user, String normalizedUser, long projectId, RedcapUrl redcapUrl) {

    public AccessRequest {
        if (projectId <= 0) {
            throw new IllegalArgumentException("project id must be positive");
        }
    }

    /** Builds a request from a raw username, normalizing it. */
    public static AccessRequest of(String user, long projectId, RedcapUrl redcapUrl) {
        return new AccessRequest(user, Username.normalize(user), projectId, redcapUrl);
    }
}
