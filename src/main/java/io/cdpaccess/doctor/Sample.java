package io.cdpaccess.doctor;

/**
 * A request like the ones REDCap sends when a user fetches EHR data: the three form fields, as
 * REDCap would fill them.
 *
 * @param user the REDCap username
 * @param projectId the project id, a decimal string
 * @param redcapUrl REDCap's base URL, with its trailing slash
 */
public record Sample(String user, String projectId, String redcapUrl) {}
