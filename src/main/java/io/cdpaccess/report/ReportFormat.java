package io.cdpaccess.report;

import java.util.Locale;

/** What a report is written as: CSV for spreadsheets and scripts, HTML for people and printing. */
public enum ReportFormat {
    CSV,
    HTML;

    /** Parses {@code csv} or {@code html}. */
    public static ReportFormat parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + text + "'; use csv or html", e);
        }
    }
}
