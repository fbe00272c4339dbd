package io.cdpaccess.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A checked, ready-to-run policy: immutable and safe to share between threads (CEL programs are).
 *
 * <p>Combination, as in Cerbos or AWS IAM: any matching {@code deny} rule denies; otherwise any
 * matching {@code allow} rule allows; otherwise the default is deny. A rule that cannot be
 * evaluated (a missing fact, a bad conversion) counts as matching if it is a deny and as not
 * matching if it is an allow, and the error is reported: an error can only ever make the answer
 * stricter. Every rule is evaluated, in order, so the explanation shows all of them. The deciding
 * rule is the first deny that matched, else the first deny that failed, else the first allow that
 * matched.
 */
public final class CompiledPolicy {

    /** One compiled rule. */
    record Rule(RuleSpec spec, CelRuntime.Program program, Set<String> variables) {
    }

    private final List<Rule> rules;
    private final FactSchema schema;
    private final String origin;
    private final String version;
    private final Set<String> variables;

    CompiledPolicy(List<Rule> rules, FactSchema schema, String origin, String version) {
        this.rules = List.copyOf(rules);
        this.schema = schema;
        this.origin = origin;
        this.version = version;
        Set<String> all = new LinkedHashSet<>();
        rules.forEach(r -> all.addAll(r.variables()));
        this.variables = Collections.unmodifiableSet(all);
    }

    /** Where the policy was read from. */
    public String origin() {
        return origin;
    }

    /** A short fingerprint of the rules (names, effects, expressions): the policy's version. */
    public String version() {
        return version;
    }

    /** The variables any rule references: the facts a decision may need to fetch. */
    public Set<String> variables() {
        return variables;
    }

    public List<RuleSpec> rules() {
        return rules.stream().map(Rule::spec).toList();
    }

    public FactSchema schema() {
        return schema;
    }

    /** Evaluates every rule against facts fetched on demand from {@code facts}. */
    public PolicyResult evaluate(FactResolver facts) {
        ReadLog log = new ReadLog();
        Variables variables = new Variables(facts, log);
        List<RuleOutcome> outcomes = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            log.startRule();
            RuleOutcome.Result result;
            Optional<String> error = Optional.empty();
            try {
                Object value = rule.program().eval(variables);
                if (value instanceof Boolean b) {
                    result = b ? RuleOutcome.Result.MATCHED : RuleOutcome.Result.NOT_MATCHED;
                } else {
                    result = RuleOutcome.Result.ERROR;
                    error = Optional.of("evaluated to " + value + " instead of true or false");
                }
            } catch (CelEvaluationException e) {
                result = RuleOutcome.Result.ERROR;
                error = Optional.of(errorText(e));
            } catch (RuntimeException e) {
                result = RuleOutcome.Result.ERROR;
                error = Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            outcomes.add(new RuleOutcome(rule.spec().name(), rule.spec().effect(), result, error,
                    log.reads(outcomes.size())));
        }
        // A deny that holds outright is the reason over an earlier one that could not be evaluated:
        // the answer then does not rest on the error, and must not be recorded as if it did.
        Optional<String> deny = first(outcomes, RuleEffect.DENY, RuleOutcome.Result.MATCHED)
                .or(() -> first(outcomes, RuleEffect.DENY, RuleOutcome.Result.ERROR));
        Optional<String> allow = first(outcomes, RuleEffect.ALLOW, RuleOutcome.Result.MATCHED);
        RuleEffect effect = deny.isEmpty() && allow.isPresent() ? RuleEffect.ALLOW : RuleEffect.DENY;
        Optional<String> deciding = deny.isPresent() ? deny : allow;
        return new PolicyResult(effect, deciding, outcomes, variables.fetched(), version);
    }

    private static Optional<String> first(List<RuleOutcome> outcomes, RuleEffect effect, RuleOutcome.Result result) {
        return outcomes.stream().filter(o -> o.effect() == effect && o.result() == result).map(RuleOutcome::rule)
                .findFirst();
    }

    /** The first line of CEL's message ("evaluation error at RULE:OFFSET: ..."). */
    private static String errorText(CelEvaluationException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /**
     * The variables of one evaluation: fetched from the resolver on first use, converted once, and
     * remembered (including a failure, so a broken source is asked once, not once per rule).
     */
    private final class Variables implements CelVariableResolver {
        /** One variable's state in this evaluation: one map lookup per read. */
        private static final class Slot {
            Object plain;
            Object cel;
            RuntimeException failure;
            boolean absent;
        }

        private final FactResolver resolver;
        private final ReadLog log;
        private final Map<String, Slot> slots = new HashMap<>();
        private final Map<String, Object> plain = new LinkedHashMap<>();

        Variables(FactResolver resolver, ReadLog log) {
            this.resolver = resolver;
            this.log = log;
        }

        @Override
        public Optional<Object> find(String name) {
            Slot slot = slots.get(name);
            if (slot == null) {
                FactType type = schema.variables().get(name);
                if (type == null) {
                    return Optional.empty();
                }
                slot = fetch(name, type);
                slots.put(name, slot);
            }
            if (slot.failure != null) {
                throw slot.failure;
            }
            if (slot.absent) {
                log.read(name, null);
                return Optional.empty();
            }
            if (!(slot.cel instanceof FactStruct)) {
                log.read(name, slot.plain);
            }
            return Optional.of(slot.cel);
        }

        private Slot fetch(String name, FactType type) {
            Slot slot = new Slot();
            try {
                Optional<Object> fetched = resolver.resolve(name);
                if (fetched.isEmpty()) {
                    slot.absent = true; // remembered: every rule sees the same facts
                    return slot;
                }
                slot.plain = type.canonical(fetched.get());
            } catch (RuntimeException e) {
                slot.failure = e; // remembered too: a broken source is asked once, not once per rule
                return slot;
            }
            plain.put(name, slot.plain);
            slot.cel = FactStruct.toCel(type, slot.plain, name, log);
            return slot;
        }

        Map<String, Object> fetched() {
            return plain;
        }
    }
}
