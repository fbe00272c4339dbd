package io.cdpaccess.doctor;

/**
 * One line of a doctor's report.
 *
 * @param severity whether it makes REDCap's call fail or mislead ({@link Severity#PROBLEM}), is a
 *     fact worth knowing ({@link Severity#INFO}), or a check that passed ({@link Severity#OK})
 * @param text one line for an administrator: what was found and what to do; never a secret
 */
public record Finding(Severity severity, String text) {

    /** How much a finding matters; only problems change the exit code. */
    public enum Severity {
        OK,
        INFO,
        PROBLEM;

        /** The line's prefix. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Finding ok(String text) {
        return new Finding(Severity.OK, text);
    }

    static Finding info(String text) {
        return new Finding(Severity.INFO, text);
    }

    static Finding problem(String text) {
        return new Finding(Severity.PROBLEM, text);
    }

    /** The printed line: {@code problem: ...}. */
    public String line() {
        return severity.label() + ": " + text;
    }
}
