package io.cdpaccess.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.policy.FactValues;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.policy.SourceUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explanation kept with each decision, as JSON:
 *
 * <pre>
 * {"format": 1, "policy": "3f2a9c81d0e4", "effect": "allow", "rule": "grant",
 *  "rules": [{"name": "blocked", "effect": "deny", "result": "not-matched", "read": {"store.block.active": false}}, ...],
 *  "facts": {"request": {"user": "jdoe", "user_as_sent": " JDoe", "normalized_user": "jdoe", ...},
 *            "now": "2026-11-28T12:00:00Z", "store": {...}},
 *  "sources": {"store": {"latency_us": 3, "cached": true}}}
 * </pre>
 *
 * {@code rules} says how each rule fared and which facts it read; {@code facts} holds every fact
 * the evaluation fetched, complete, so the decision can be evaluated again under another policy
 * (what-if replay). Timestamps are ISO-8601 text. Explanations recorded before
 * {@code user_as_sent} existed hold the name as sent in {@code request.user}; replay reads them as
 * today's facts ({@code CoreFacts.recordedRequest}), so the format number is unchanged.
 */
public final class Explanations {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The version of this layout, first in every explanation, so that tools reading old records
     * (and outside auditors) know what they read. Bumped on any change that is not an addition.
     */
    public static final int FORMAT = 1;

    private Explanations() {}

    /** A recorded explanation read back. */
    public record Recorded(
            String policy,
            String effect,
            String rule,
            List<Map<String, Object>> rules,
            Map<String, Object> facts,
            Map<String, Object> sources) {}

    public static String toJson(PolicyResult result, Map<String, SourceUse> sources) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("policy", result.policyVersion());
        out.put("effect", result.effect().label());
        out.put("rule", result.reason());
        List<Map<String, Object>> rules = new ArrayList<>();
        for (RuleOutcome o : result.outcomes()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", o.rule());
            r.put("effect", o.effect().label());
            r.put("result", o.result().label());
            o.error().ifPresent(e -> r.put("error", e));
            r.put("read", FactValues.toJson(o.read()));
            rules.add(r);
        }
        out.put("rules", rules);
        out.put("facts", FactValues.toJson(result.facts()));
        Map<String, Object> used = new LinkedHashMap<>();
        sources.forEach((name, use) -> {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("latency_us", use.latencyMicros());
            u.put("cached", use.cached());
            u.put("outcome", use.outcome());
            if (use.stale()) {
                u.put("stale", true);
            }
            use.error().ifPresent(e -> u.put("error", e));
            used.put(name, u);
        });
        out.put("sources", used);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("facts are plain values and always serialize", e);
        }
    }

    /**
     * Reads a recorded explanation.
     *
     * @throws IllegalArgumentException when the text is not an explanation
     */
    public static Recorded parse(String json) {
        try {
            Map<String, Object> m = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
            Object format =
                    m.getOrDefault("format", FORMAT); // explanations written before the key existed are format 1
            if (!(format instanceof Integer f) || f > FORMAT) {
                throw new IllegalArgumentException("explanation format " + format + " is newer than this cdp-access"
                        + " reads (" + FORMAT + "); use a newer cdp-access");
            }
            @SuppressWarnings("unchecked") // Jackson's maps and lists; the wrong kind fails here, caught below
            List<Map<String, Object>> rules = (List<Map<String, Object>>) m.getOrDefault("rules", List.of());
            @SuppressWarnings("unchecked") // Jackson's maps and lists; the wrong kind fails here, caught below
            Map<String, Object> facts = (Map<String, Object>) m.getOrDefault("facts", Map.of());
            @SuppressWarnings("unchecked") // Jackson's maps and lists; the wrong kind fails here, caught below
            Map<String, Object> sources = (Map<String, Object>) m.getOrDefault("sources", Map.of());
            return new Recorded(
                    String.valueOf(m.get("policy")),
                    String.valueOf(m.get("effect")),
                    String.valueOf(m.get("rule")),
                    rules,
                    facts,
                    sources);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a decision explanation: " + e.getMessage());
        }
    }
}
