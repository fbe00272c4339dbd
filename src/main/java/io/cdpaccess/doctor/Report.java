package io.cdpaccess.doctor;

import java.util.List;

/**
 * What a doctor found, in order, and its verdict.
 *
 * @param findings one line each, in the order they were found
 * @param redcapWouldStore {@code 1} or {@code 0}: what REDCap would store for the last call made
 *     (the sample's, else the Test button's)
 * @param works whether REDCap's calls would work: the Test button's POST answered 200 {@code 0} and
 *     no problem found (a sample user being denied by policy is a working call)
 */
public record Report(List<Finding> findings, String redcapWouldStore, boolean works) {

    public Report {
        findings = List.copyOf(findings);
    }
}
