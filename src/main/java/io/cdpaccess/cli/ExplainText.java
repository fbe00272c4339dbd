package io.cdpaccess.cli;

import io.cdpaccess.audit.Explanations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An explanation as text for a terminal: one block per rule, then the facts fetched. */
final class ExplainText {

    private ExplainText() {}

    static String[] render(Explanations.Recorded e) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("rules (policy " + e.policy()
                + "; any matching deny denies, else any matching allow allows, else deny):");
        for (Map<String, Object> rule : e.rules()) {
            String name = String.valueOf(rule.get("name"));
            String marker = name.equals(e.rule()) ? "  <- decided" : "";
            lines.add(String.format("  %-12s %-5s %s%s", rule.get("result"), rule.get("effect"), name, marker));
            if (rule.get("error") != null) {
                lines.add("      error: " + rule.get("error"));
            }
            if (rule.get("read") instanceof Map<?, ?> read) {
                read.forEach((path, value) -> lines.add("      " + path + " = " + show(value)));
            }
        }
        if (!e.sources().isEmpty()) {
            lines.add("sources:");
            e.sources().forEach((name, s) -> lines.add("  " + name + ": " + s));
        }
        return lines.toArray(new String[0]);
    }

    private static String show(Object value) {
        if (value == null) {
            return "(not set)";
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
