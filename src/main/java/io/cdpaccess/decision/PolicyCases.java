package io.cdpaccess.decision;

import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.protocol.Username;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Policy test cases, as {@code opa test} or {@code cerbos compile} run them: each case gives a
 * request, a pinned {@code now}, the facts the store (and each source) would return, and the
 * expected answer — optionally the rule that must decide. No store or source is contacted.
 *
 * <pre>
 * now: 2026-12-01T12:00:00Z          # default for every case
 * cases:
 *   - name: an active grant allows
 *     request: {user: alice, project_id: 42, instance: prod}
 *     facts:
 *       store:
 *         grant: {state: active, active: true, until: 2027-06-30T05:00:00Z}
 *     expect: allow
 *     rule: grant
 * </pre>
 *
 * Facts left out take the values of an empty store: no grant, project unknown, not blocked.
 */
public final class PolicyCases {

    /** One parsed case. */
    public record Case(String name, String origin, Map<String, Object> request, Instant now,
                       Map<String, Object> facts, String expect, Optional<String> rule) {
    }

    /** How one case went. */
    public record Outcome(Case testCase, boolean passed, String actualEffect, String actualRule, String message,
                          PolicyResult result) {
    }

    private PolicyCases() {
    }

    /**
     * Reads a case file.
     *
     * @throws IllegalArgumentException with {@code file: case 'name': what is wrong}
     */
    public static List<Case> read(Path file) {
        Object doc;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map<?, ?> top) || !(top.get("cases") instanceof List<?> cases)) {
            throw new IllegalArgumentException(file + ": expected a top-level 'cases:' list");
        }
        unknownKeys(top, Set.of("now", "cases"), file + ": ");
        Instant defaultNow = top.get("now") == null ? null : instant(top.get("now"), file + ": now");
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            out.add(readCase(cases.get(i), file + ": case " + (i + 1), defaultNow));
        }
        return out;
    }

    private static Case readCase(Object item, String where, Instant defaultNow) {
        if (!(item instanceof Map<?, ?> c)) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        String name = c.get("name") == null ? where.substring(where.lastIndexOf(' ') + 1) : String.valueOf(c.get("name"));
        String at = where + " '" + name + "'";
        unknownKeys(c, Set.of("name", "request", "now", "facts", "expect", "rule"), at + ": ");
        if (!(c.get("request") instanceof Map<?, ?> req)) {
            throw new IllegalArgumentException(at + ": request is required: {user, project_id, ...}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> request = new LinkedHashMap<>((Map<String, Object>) plain(req));
        if (!(request.get("user") instanceof String user) || !(request.get("project_id") instanceof Number)) {
            throw new IllegalArgumentException(at + ": request needs user (text) and project_id (a number)");
        }
        request.putIfAbsent("normalized_user", Username.normalize(user));
        request.putIfAbsent("instance", "default");
        request.putIfAbsent("redcap_url", "https://redcap.example.edu/");
        Instant now = c.get("now") != null ? instant(c.get("now"), at + ": now") : defaultNow;
        if (now == null) {
            throw new IllegalArgumentException(at + ": now is required (per case, or once at the top of the file)");
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        if (c.get("facts") != null) {
            if (!(c.get("facts") instanceof Map<?, ?> f)) {
                throw new IllegalArgumentException(at + ": facts must map a source name to its facts");
            }
            f.forEach((k, v) -> facts.put(String.valueOf(k), plain(v)));
        }
        facts.put(CoreFacts.STORE_VAR, withStoreDefaults(facts.get(CoreFacts.STORE_VAR), at));
        String expect = String.valueOf(c.get("expect"));
        if (!expect.equals("allow") && !expect.equals("deny")) {
            throw new IllegalArgumentException(at + ": expect must be allow or deny");
        }
        Optional<String> rule = Optional.ofNullable(c.get("rule")).map(String::valueOf);
        return new Case(name, at, request, now, facts, expect, rule);
    }

    /** An empty store's facts, overlaid with what the case gives. */
    private static Map<String, Object> withStoreDefaults(Object given, String at) {
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("grant", new LinkedHashMap<>(Map.of("state", "none", "active", false)));
        store.put("project", new LinkedHashMap<>(Map.of("status", "unknown", "expired", false)));
        store.put("block", new LinkedHashMap<>(Map.of("active", false)));
        if (given == null) {
            return store;
        }
        if (!(given instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(at + ": facts.store must be a mapping of grant, project, block");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(store.get(key) instanceof Map<?, ?>) || !(e.getValue() instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException(at + ": facts.store." + key + ": expected one of grant, project, block"
                        + " with a mapping of fields");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> target = (Map<String, Object>) store.get(key);
            fields.forEach((k, v) -> target.put(String.valueOf(k), v));
        }
        return store;
    }

    /** Runs every case against the policy. */
    public static List<Outcome> run(CompiledPolicy policy, List<Case> cases) {
        List<Outcome> out = new ArrayList<>();
        for (Case c : cases) {
            PolicyResult result;
            try {
                result = policy.evaluate(variable -> switch (variable) {
                    case CoreFacts.REQUEST_VAR -> Optional.of(c.request());
                    case CoreFacts.NOW_VAR -> Optional.of(c.now());
                    default -> Optional.ofNullable(c.facts().get(variable));
                });
            } catch (RuntimeException e) {
                out.add(new Outcome(c, false, "error", "-", c.origin() + ": " + e.getMessage(), null));
                continue;
            }
            String effect = result.effect().label();
            boolean effectOk = effect.equals(c.expect());
            boolean ruleOk = c.rule().map(r -> r.equals(result.reason())).orElse(true);
            String message = effectOk && ruleOk ? "" : "expected " + c.expect() + c.rule().map(r -> " by " + r).orElse("")
                    + ", got " + effect + " by " + result.reason() + errors(result);
            out.add(new Outcome(c, effectOk && ruleOk, effect, result.reason(), message, result));
        }
        return out;
    }

    private static String errors(PolicyResult result) {
        StringBuilder sb = new StringBuilder();
        for (RuleOutcome o : result.outcomes()) {
            o.error().ifPresent(e -> sb.append("; rule ").append(o.rule()).append(" failed: ").append(e));
        }
        return sb.toString();
    }

    /** YAML's values as fact values: dates become instants, integers longs, recursively. */
    private static Object plain(Object value) {
        if (value instanceof java.util.Date d) {
            return d.toInstant();
        }
        if (value instanceof Integer n) {
            return n.longValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(PolicyCases::plain).toList();
        }
        return value;
    }

    private static Instant instant(Object value, String where) {
        if (value instanceof java.util.Date d) {
            return d.toInstant(); // YAML reads an unquoted timestamp as a date
        }
        try {
            return Instant.parse(String.valueOf(value));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": expected an instant such as 2026-12-01T12:00:00Z");
        }
    }

    private static void unknownKeys(Map<?, ?> map, Set<String> allowed, String where) {
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(where + "unknown key '" + key + "'; expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
