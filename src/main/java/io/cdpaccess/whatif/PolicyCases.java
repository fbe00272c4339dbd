package io.cdpaccess.whatif;

import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.EnvSubstitution;
import io.cdpaccess.config.NodeReader;
import io.cdpaccess.config.YamlDocument;
import io.cdpaccess.decision.CoreFacts;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.FactValues;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.policy.RuleOutcome;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

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
 * A case's {@code user} is the name as REDCap would send it: the rules see it normalized as
 * {@code request.user} (and {@code normalized_user}) and as given as {@code user_as_sent}, as
 * the endpoint builds them ({@link CoreFacts#caseRequest}).
 *
 * <p>Facts left out take the values of an empty store ({@link CoreFacts#emptyStore}): no grant,
 * project unknown, not blocked. A file is read like the configuration: every problem is reported
 * at once, each with its line.
 */
public final class PolicyCases {

    private static final Set<String> CASE_KEYS = Set.of("name", "request", "now", "facts", "expect", "rule");

    /**
     * One parsed case.
     *
     * @param origin where the case is, {@code file:line: case 'name'}
     */
    public record Case(
            String name,
            String origin,
            Map<String, Object> request,
            Instant now,
            Map<String, Object> facts,
            String expect,
            Optional<String> rule) {}

    /** How one case went. */
    public record Outcome(
            Case testCase,
            boolean passed,
            String actualEffect,
            String actualRule,
            String message,
            PolicyResult result) {}

    private PolicyCases() {}

    /**
     * Reads a case file.
     *
     * @throws ConfigException with every problem, as {@code file:line: cases[i]: what is wrong}
     */
    public static List<Case> read(Path file) throws ConfigException {
        String name = file.toString();
        Node root = YamlDocument.read(file, name);
        if (root == null) {
            throw new ConfigException(name + ": the file is empty; expected a top-level 'cases:' list");
        }
        NodeReader in = new NodeReader(name, EnvSubstitution.NONE);
        Map<String, Node> top = given(in.mapping(root, "", Set.of("now", "cases")));
        Instant defaultNow = top.containsKey("now") ? instant(in, top.get("now"), "now") : null;
        if (!top.containsKey("cases")) {
            in.fileProblem("cases: is required: a list of {name, request, now, facts, expect, rule}");
        }
        List<Node> items = in.sequence(top.get("cases"), "cases", "expected a list of cases");
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            readCase(in, items.get(i), "cases[" + i + "]", i + 1, defaultNow).ifPresent(out::add);
        }
        in.throwIfProblems();
        return out;
    }

    private static Optional<Case> readCase(NodeReader in, Node item, String path, int number, Instant defaultNow) {
        Map<String, Node> c = given(in.mapping(item, path, CASE_KEYS));
        String name = in.value(c.get("name"), path + ".name", Function.identity(), Integer.toString(number));
        String origin = in.fileName() + ":" + NodeReader.line(item) + ": case '" + name + "'";
        boolean ok = true;
        Map<String, Object> request = new LinkedHashMap<>();
        if (!(c.get("request") != null && plain(in, c.get("request")) instanceof Map<?, ?> req)) {
            in.problem(item, path + ".request", "is required: {user, project_id, ...}");
            ok = false;
        } else {
            req.forEach((k, v) -> request.put(String.valueOf(k), v));
            if (!(request.get("user") instanceof String) || !(request.get("project_id") instanceof Number)) {
                in.problem(c.get("request"), path + ".request", "needs user (text) and project_id (a number)");
                ok = false;
            } else {
                request.putAll(CoreFacts.caseRequest(request));
                request.putIfAbsent("instance", "default");
                request.putIfAbsent("redcap_url", "https://redcap.example.edu/");
            }
        }
        Instant now = c.containsKey("now") ? instant(in, c.get("now"), path + ".now") : defaultNow;
        if (now == null) {
            in.problem(item, path + ".now", "is required (per case, or once at the top of the file)");
            ok = false;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        if (c.containsKey("facts")) {
            if (plain(in, c.get("facts")) instanceof Map<?, ?> f) {
                f.forEach((k, v) -> facts.put(String.valueOf(k), v));
            } else {
                in.problem(c.get("facts"), path + ".facts", "must map a source name to its facts");
                ok = false;
            }
        }
        Optional<Map<String, Object>> store =
                withStoreDefaults(in, c.get("facts"), facts.get(CoreFacts.STORE_VAR), path, now);
        String expect = in.required(c, item, path, "expect", text -> {
            if (!text.equals("allow") && !text.equals("deny")) {
                throw new IllegalArgumentException("must be allow or deny");
            }
            return text;
        });
        Optional<String> rule = Optional.ofNullable(in.value(c.get("rule"), path + ".rule", Function.identity(), null));
        if (!ok || store.isEmpty() || expect == null) {
            return Optional.empty();
        }
        facts.put(CoreFacts.STORE_VAR, store.get());
        return Optional.of(new Case(name, origin, request, now, facts, expect, rule));
    }

    /** An empty store's facts, overlaid with what the case gives; empty (with a problem) when malformed. */
    private static Optional<Map<String, Object>> withStoreDefaults(
            NodeReader in, Node at, Object given, String path, Instant now) {
        Map<String, Object> store = new LinkedHashMap<>();
        CoreFacts.emptyStore(now == null ? Instant.EPOCH : now)
                .forEach((record, fields) -> store.put(record, new LinkedHashMap<>((Map<?, ?>) fields)));
        if (given == null) {
            return Optional.of(store);
        }
        if (!(given instanceof Map<?, ?> m)) {
            in.problem(at, path + ".facts.store", "must be a mapping of " + String.join(", ", store.keySet()));
            return Optional.empty();
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(store.get(key) instanceof Map<?, ?>) || !(e.getValue() instanceof Map<?, ?> fields)) {
                in.problem(
                        at,
                        path + ".facts.store." + key,
                        "expected one of " + String.join(", ", store.keySet()) + " with a mapping of fields");
                return Optional.empty();
            }
            @SuppressWarnings("unchecked") // made above as a map of maps
            Map<String, Object> target = (Map<String, Object>) store.get(key);
            fields.forEach((k, v) -> target.put(String.valueOf(k), v));
        }
        return Optional.of(store);
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
            StringBuilder message = new StringBuilder();
            if (!effectOk || !ruleOk) {
                message.append("expected ")
                        .append(c.expect())
                        .append(c.rule().map(r -> " by " + r).orElse(""))
                        .append(", got ")
                        .append(effect)
                        .append(" by ")
                        .append(result.reason());
                for (RuleOutcome o : result.outcomes()) {
                    o.error()
                            .ifPresent(e -> message.append("; rule ")
                                    .append(o.rule())
                                    .append(" failed: ")
                                    .append(e));
                }
            }
            out.add(new Outcome(c, effectOk && ruleOk, effect, result.reason(), message.toString(), result));
        }
        return out;
    }

    /** The entries that have a value: in a case file, {@code now: ~} means "no now here", as absent. */
    private static Map<String, Node> given(Map<String, Node> entries) {
        Map<String, Node> out = new LinkedHashMap<>(entries);
        out.values().removeIf(NodeReader::isNull);
        return out;
    }

    /** A node as a plain fact value. */
    private static Object plain(NodeReader in, Node node) {
        return FactValues.fromDecoded(in.decoded(node));
    }

    /** A timestamp as YAML writes one (unquoted, read as a date) or as ISO-8601 text. */
    private static Instant instant(NodeReader in, Node node, String path) {
        Object value = plain(in, node);
        if (value instanceof Instant i) {
            return i;
        }
        try {
            return Instant.parse(String.valueOf(value));
        } catch (DateTimeParseException e) {
            in.problem(node, path, "expected an instant such as 2026-12-01T12:00:00Z");
            return null;
        }
    }
}
