package io.cdpaccess.policy;

import dev.cel.common.exceptions.CelAttributeNotFoundException;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A checked, ready-to-run policy: immutable and safe to share between threads (CEL programs are).
 *
 * <p>Every rule is evaluated, in order, so the explanation shows all of them; what their outcomes
 * add up to is the {@link Combination} rule's business. A rule that cannot be evaluated is
 * reported with its error.
 */
public final class CompiledPolicy implements LoadedPolicy {

    /** One compiled rule. */
    record Rule(RuleSpec spec, CelRuntime.Program program, Set<String> variables) {}

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
    @Override
    public String origin() {
        return origin;
    }

    /** A short fingerprint of the rules (names, effects, expressions): the policy's version. */
    @Override
    public String version() {
        return version;
    }

    @Override
    public int ruleCount() {
        return rules.size();
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
                error = Optional.of(
                        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            outcomes.add(new RuleOutcome(rule.spec().name(), rule.spec().effect(), result, error, log.ruleReads()));
        }
        return new PolicyResult(outcomes, variables.fetched(), version);
    }

    /** The first line of CEL's message ("evaluation error at RULE:OFFSET: ..."). */
    private static String errorText(CelEvaluationException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /**
     * The facts of one evaluation, by {@link FactPath}: a variable is fetched from the resolver on
     * first use, converted once, and remembered (a failure too, so a broken source is asked once,
     * not once per rule); a field chain such as {@code store.grant.active} (see
     * {@link FieldChains}) is looked up in its structure once and then read from its slot. Every
     * read of a value that is not a structure is logged, so each rule's record is complete.
     */
    private final class Variables implements CelVariableResolver {
        private static final byte UNKNOWN = 0;
        private static final byte PRESENT = 1;
        private static final byte ABSENT = 2;
        private static final byte FAILED = 3;

        private final FactResolver resolver;
        private final ReadLog log;
        /** Per slot: UNKNOWN until looked up. */
        private final byte[] state;
        /** Per slot: the plain value when PRESENT. */
        private final Object[] plain;
        /** Per slot: the CEL value when PRESENT, the exception when FAILED, the missing path when ABSENT. */
        private final Object[] cel;

        private final Map<String, Object> fetched = new LinkedHashMap<>();

        Variables(FactResolver resolver, ReadLog log) {
            this.resolver = resolver;
            this.log = log;
            int slots = schema.pathCount();
            this.state = new byte[slots];
            this.plain = new Object[slots];
            this.cel = new Object[slots];
        }

        @Override
        public Optional<Object> find(String name) {
            FactPath path = schema.path(name);
            if (path == null) {
                return Optional.empty();
            }
            int slot = path.slot();
            if (state[slot] == UNKNOWN) {
                lookUp(path);
            }
            switch (state[slot]) {
                case FAILED -> throw (RuntimeException) cel[slot];
                case ABSENT -> {
                    // The explanation and the error name what is missing: the source when that
                    // is it, else the first unset field of the chain, as CEL would have said.
                    FactPath missing = (FactPath) cel[slot];
                    log.read(missing.name(), null);
                    throw missing.isVariable()
                            ? CelAttributeNotFoundException.forMissingAttributes(List.of(missing.name()))
                            : CelAttributeNotFoundException.forMissingMapKey(missing.name());
                }
                default -> {
                    if (!(path.type() instanceof FactType.Struct)) {
                        log.read(name, plain[slot]);
                    }
                    return Optional.of(cel[slot]);
                }
            }
        }

        private void lookUp(FactPath path) {
            int slot = path.slot();
            if (path.isVariable()) {
                fetch(path);
                return;
            }
            int parent = path.parent().slot();
            if (state[parent] == UNKNOWN) {
                lookUp(path.parent());
            }
            if (state[parent] != PRESENT) {
                state[slot] = state[parent]; // the same failure, or the same missing fact
                cel[slot] = cel[parent];
                return;
            }
            Object raw = ((Map<?, ?>) plain[parent]).get(path.field());
            if (raw == null) {
                state[slot] = ABSENT;
                cel[slot] = path;
                return;
            }
            plain[slot] = raw;
            cel[slot] = forCel(path, raw);
            state[slot] = PRESENT;
        }

        private void fetch(FactPath variable) {
            int slot = variable.slot();
            try {
                Optional<Object> value = resolver.resolve(variable.name());
                if (value.isEmpty()) {
                    state[slot] = ABSENT; // remembered: every rule sees the same facts
                    cel[slot] = variable;
                    return;
                }
                plain[slot] = variable.type().canonical(value.get());
            } catch (RuntimeException e) {
                state[slot] = FAILED; // remembered too: a broken source is asked once, not once per rule
                cel[slot] = e;
                return;
            }
            fetched.put(variable.name(), plain[slot]);
            cel[slot] = forCel(variable, plain[slot]);
            state[slot] = PRESENT;
        }

        private Object forCel(FactPath path, Object plainValue) {
            if (path.type() instanceof FactType.Scalar scalar) {
                return new FactScalar(plainValue, scalar.celType());
            }
            return FactStruct.toCel(path.type(), plainValue, path.name(), log);
        }

        /** The variables fetched, in the order first read, as plain values. */
        Map<String, Object> fetched() {
            return fetched;
        }
    }
}
