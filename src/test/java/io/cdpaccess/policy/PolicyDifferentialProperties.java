package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The engine against a naive oracle: random policies from a small rule grammar, over random
 * facts, evaluated by {@link CompiledPolicy} and by a tiny interpreter of the same grammar over
 * plain Java values, must agree on the effect, the deciding rule, whether the deny is
 * inconclusive, and every rule's outcome.
 *
 * <p>The grammar: atoms over a test schema (bools; strings with {@code ==}/{@code !=}; ints with
 * {@code <}, {@code <=}, {@code ==}; {@code 'x' in list}; {@code has()}; timestamps against
 * {@code now}; literals) including atoms that fail at run time (an unset field read without
 * {@code has()}, {@code int()} of a non-number, a fact source that is absent or throws), combined
 * with {@code &&}, {@code ||} and {@code !} to depth 3. The oracle models CEL's commutative
 * error absorption: {@code false && error} and {@code error && false} are false,
 * {@code true || error} and {@code error || true} are true, {@code !error} is an error.
 */
class PolicyDifferentialProperties {

    // ---- the test schema ----

    static final FactType.Struct REQUEST = FactType.Struct.of(
            "d.Request",
            "user",
            FactType.Scalar.STRING,
            "admin",
            FactType.Scalar.BOOL,
            "project_id",
            FactType.Scalar.INT,
            "groups",
            new FactType.ListOf(FactType.Scalar.STRING),
            "code",
            FactType.Scalar.STRING,
            "note",
            FactType.Scalar.STRING,
            "level",
            FactType.Scalar.INT,
            "since",
            FactType.Scalar.TIMESTAMP,
            "until",
            FactType.Scalar.TIMESTAMP);
    static final FactType.Struct LDAP = FactType.Struct.of(
            "d.Ldap", "groups", new FactType.ListOf(FactType.Scalar.STRING), "locked", FactType.Scalar.BOOL);
    static final FactSchema SCHEMA = FactSchema.of(schemaVariables());

    private static Map<String, FactType> schemaVariables() {
        Map<String, FactType> v = new LinkedHashMap<>();
        v.put("request", REQUEST);
        v.put("now", FactType.Scalar.TIMESTAMP);
        v.put("ldap", LDAP);
        return v;
    }

    static final Instant BASE = Instant.parse("2026-11-28T12:00:00Z");
    static final List<String> USERS = List.of("alice", "bob", "o'hara");
    static final List<String> GROUPS = List.of("epic", "cerner", "irb");
    static final List<String> CODES = List.of("5", "0", "-3", "abc", "", "12x", "99999999999999999999");
    static final List<Long> INTS = List.of(0L, 1L, 7L, 42L);

    // ---- facts as plain Java values ----

    enum Availability {
        PRESENT,
        ABSENT,
        FAILING
    }

    /** One random world. Optional fields are null when unset. */
    record Facts(
            String user,
            boolean admin,
            long projectId,
            List<String> groups,
            String code,
            String note,
            Long level,
            Instant since,
            Instant until,
            Instant now,
            Availability ldap,
            List<String> ldapGroups,
            boolean ldapLocked) {

        /** The plain value of a top-level variable, as a resolver hands it to the engine. */
        Map<String, Object> request() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("user", user);
            r.put("admin", admin);
            r.put("project_id", projectId);
            r.put("groups", groups);
            r.put("code", code);
            if (note != null) {
                r.put("note", note);
            }
            if (level != null) {
                r.put("level", level);
            }
            r.put("since", since);
            if (until != null) {
                r.put("until", until);
            }
            return r;
        }

        Map<String, Object> ldapValue() {
            return Map.of("groups", ldapGroups, "locked", ldapLocked);
        }
    }

    // ---- the grammar: one AST, printed as CEL and interpreted by the oracle ----

    sealed interface Expr permits Lit, BoolField, StrCmp, IntCmp, In, Has, TimeCmp, IntOfCode, Not, And, Or {
        String cel();
    }

    /** {@code true} / {@code false}. */
    record Lit(boolean value) implements Expr {
        public String cel() {
            return Boolean.toString(value);
        }
    }

    /** {@code request.admin}, {@code ldap.locked}. */
    record BoolField(String path) implements Expr {
        public String cel() {
            return path;
        }
    }

    /** {@code request.user == 'x'}, {@code request.note != 'x'}. */
    record StrCmp(String path, boolean equal, String constant) implements Expr {
        public String cel() {
            return path + (equal ? " == " : " != ") + quote(constant);
        }
    }

    enum IntOp {
        LT("<"),
        LE("<="),
        EQ("==");
        final String symbol;

        IntOp(String symbol) {
            this.symbol = symbol;
        }
    }

    /** {@code request.project_id < 7}, {@code request.level <= 1}. */
    record IntCmp(String path, IntOp op, long constant) implements Expr {
        public String cel() {
            return path + " " + op.symbol + " " + constant;
        }
    }

    /** {@code 'epic' in request.groups}. */
    record In(String constant, String path) implements Expr {
        public String cel() {
            return quote(constant) + " in " + path;
        }
    }

    /** {@code has(request.note)}. */
    record Has(String path) implements Expr {
        public String cel() {
            return "has(" + path + ")";
        }
    }

    enum TimeOp {
        LT("<"),
        LE("<="),
        EQ("=="),
        GT(">");
        final String symbol;

        TimeOp(String symbol) {
            this.symbol = symbol;
        }
    }

    /** {@code request.until > now}. */
    record TimeCmp(String path, TimeOp op) implements Expr {
        public String cel() {
            return path + " " + op.symbol + " now";
        }
    }

    /** {@code int(request.code) > 0}: an error when the code is not a 64-bit integer. */
    record IntOfCode() implements Expr {
        public String cel() {
            return "int(request.code) > 0";
        }
    }

    record Not(Expr operand) implements Expr {
        public String cel() {
            return "!(" + operand.cel() + ")";
        }
    }

    record And(Expr left, Expr right) implements Expr {
        public String cel() {
            return "(" + left.cel() + ") && (" + right.cel() + ")";
        }
    }

    record Or(Expr left, Expr right) implements Expr {
        public String cel() {
            return "(" + left.cel() + ") || (" + right.cel() + ")";
        }
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    record Rule(String name, RuleEffect effect, Expr when) {}

    // ---- the oracle ----

    /** A value of the oracle's little language: a plain Java value, or an evaluation error. */
    enum Tri {
        TRUE,
        FALSE,
        ERROR;

        static Tri of(boolean b) {
            return b ? TRUE : FALSE;
        }
    }

    /** Thrown by the oracle's reads; becomes {@link Tri#ERROR}. */
    static final class OracleError extends RuntimeException {
        OracleError() {
            super(null, null, false, false);
        }
    }

    /** The top-level variable's plain value, or an error when the source is absent or failing. */
    static Map<String, Object> variable(Facts f, String name) {
        switch (name) {
            case "request":
                return f.request();
            case "ldap":
                if (f.ldap() != Availability.PRESENT) {
                    throw new OracleError();
                }
                return f.ldapValue();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** Reads {@code var.field}; an unset field is an error, as in CEL. */
    static Object read(Facts f, String path) {
        String[] parts = path.split("\\.");
        Object value = variable(f, parts[0]).get(parts[1]);
        if (value == null) {
            throw new OracleError();
        }
        return value;
    }

    static Tri eval(Expr e, Facts f) {
        if (e instanceof Not n) {
            Tri t = eval(n.operand(), f);
            return t == Tri.ERROR ? Tri.ERROR : Tri.of(t == Tri.FALSE);
        }
        if (e instanceof And a) {
            Tri l = eval(a.left(), f);
            Tri r = eval(a.right(), f);
            if (l == Tri.FALSE || r == Tri.FALSE) {
                return Tri.FALSE;
            }
            if (l == Tri.ERROR || r == Tri.ERROR) {
                return Tri.ERROR;
            }
            return Tri.TRUE;
        }
        if (e instanceof Or o) {
            Tri l = eval(o.left(), f);
            Tri r = eval(o.right(), f);
            if (l == Tri.TRUE || r == Tri.TRUE) {
                return Tri.TRUE;
            }
            if (l == Tri.ERROR || r == Tri.ERROR) {
                return Tri.ERROR;
            }
            return Tri.FALSE;
        }
        try {
            return Tri.of(atom(e, f));
        } catch (OracleError err) {
            return Tri.ERROR;
        }
    }

    static boolean atom(Expr e, Facts f) {
        if (e instanceof Lit l) {
            return l.value();
        }
        if (e instanceof BoolField b) {
            return (Boolean) read(f, b.path());
        }
        if (e instanceof StrCmp s) {
            return read(f, s.path()).equals(s.constant()) == s.equal();
        }
        if (e instanceof IntCmp c) {
            long v = (Long) read(f, c.path());
            switch (c.op()) {
                case LT:
                    return v < c.constant();
                case LE:
                    return v <= c.constant();
                default:
                    return v == c.constant();
            }
        }
        if (e instanceof In i) {
            return ((List<?>) read(f, i.path())).contains(i.constant());
        }
        if (e instanceof Has h) {
            String[] parts = h.path().split("\\.");
            return variable(f, parts[0]).containsKey(parts[1]);
        }
        if (e instanceof TimeCmp t) {
            Instant v = (Instant) read(f, t.path());
            int cmp = v.compareTo(f.now());
            switch (t.op()) {
                case LT:
                    return cmp < 0;
                case LE:
                    return cmp <= 0;
                case EQ:
                    return cmp == 0;
                default:
                    return cmp > 0;
            }
        }
        if (e instanceof IntOfCode) {
            try {
                return Long.parseLong((String) read(f, "request.code")) > 0;
            } catch (NumberFormatException notANumber) {
                throw new OracleError();
            }
        }
        throw new IllegalArgumentException(e.toString());
    }

    /** The combination, as plainly as it can be said. */
    record Expected(
            RuleEffect effect, Optional<String> decidingRule, List<RuleOutcome.Result> results, boolean inconclusive) {}

    static Expected oracle(List<Rule> rules, Facts f) {
        List<RuleOutcome.Result> results = new ArrayList<>();
        for (Rule r : rules) {
            Tri t = eval(r.when(), f);
            results.add(
                    t == Tri.TRUE
                            ? RuleOutcome.Result.MATCHED
                            : t == Tri.FALSE ? RuleOutcome.Result.NOT_MATCHED : RuleOutcome.Result.ERROR);
        }
        String cleanDeny = null;
        String failedDeny = null;
        String allow = null;
        boolean anyError = false;
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            RuleOutcome.Result result = results.get(i);
            if (result == RuleOutcome.Result.ERROR) {
                anyError = true;
            }
            if (r.effect() == RuleEffect.DENY && result == RuleOutcome.Result.MATCHED && cleanDeny == null) {
                cleanDeny = r.name();
            }
            if (r.effect() == RuleEffect.DENY && result == RuleOutcome.Result.ERROR && failedDeny == null) {
                failedDeny = r.name();
            }
            if (r.effect() == RuleEffect.ALLOW && result == RuleOutcome.Result.MATCHED && allow == null) {
                allow = r.name();
            }
        }
        if (cleanDeny != null) {
            // A deny that holds outright is the reason, even when an earlier deny could not be evaluated.
            return new Expected(RuleEffect.DENY, Optional.of(cleanDeny), results, false);
        }
        if (failedDeny != null) {
            return new Expected(RuleEffect.DENY, Optional.of(failedDeny), results, true);
        }
        if (allow != null) {
            return new Expected(RuleEffect.ALLOW, Optional.of(allow), results, false);
        }
        return new Expected(RuleEffect.DENY, Optional.empty(), results, anyError);
    }

    // ---- the property ----

    @Property(tries = 500)
    void theEngineAgreesWithTheOracle(@ForAll("policies") List<Rule> rules, @ForAll("facts") Facts facts)
            throws PolicyException {
        CompiledPolicy policy = compile(rules);
        Map<String, Integer> asked = new ConcurrentHashMap<>();
        PolicyResult actual = policy.evaluate(name -> {
            asked.merge(name, 1, Integer::sum);
            switch (name) {
                case "request":
                    return Optional.of(facts.request());
                case "now":
                    return Optional.of(facts.now());
                case "ldap":
                    if (facts.ldap() == Availability.FAILING) {
                        throw new IllegalStateException("directory unreachable");
                    }
                    return facts.ldap() == Availability.PRESENT ? Optional.of(facts.ldapValue()) : Optional.empty();
                default:
                    return Optional.empty();
            }
        });
        Expected expected = oracle(rules, facts);

        collectStatistics(rules, expected);
        String context = describe(rules, facts, actual);
        assertThat(actual.outcomes())
                .as(context)
                .extracting(RuleOutcome::result)
                .containsExactlyElementsOf(expected.results());
        assertThat(actual.outcomes())
                .as(context)
                .extracting(RuleOutcome::rule)
                .containsExactlyElementsOf(rules.stream().map(Rule::name).toList());
        assertThat(actual.effect()).as(context).isEqualTo(expected.effect());
        assertThat(actual.decidingRule()).as(context).isEqualTo(expected.decidingRule());
        assertThat(actual.inconclusive()).as(context).isEqualTo(expected.inconclusive());
        for (RuleOutcome o : actual.outcomes()) {
            assertThat(o.error().isPresent()).as(context).isEqualTo(o.result() == RuleOutcome.Result.ERROR);
        }
        // A failing source is asked once per evaluation, not once per rule that reads it.
        if (facts.ldap() == Availability.FAILING) {
            assertThat(asked.getOrDefault("ldap", 0)).as(context).isLessThanOrEqualTo(1);
        }
        assertThat(asked.getOrDefault("request", 0)).as(context).isLessThanOrEqualTo(1);
    }

    /**
     * The oracle's error rules, checked on their own: an error is absorbed by whichever side of
     * {@code &&} / {@code ||} decides, on either side, and survives {@code !}.
     */
    @Example
    void celAbsorbsErrorsOnEitherSideAsTheOracleAssumes() throws PolicyException {
        Facts facts = new Facts(
                "alice",
                true,
                42,
                List.of("epic"),
                "abc",
                null,
                null,
                BASE,
                null,
                BASE,
                Availability.ABSENT,
                List.of(),
                false);
        Expr unset = new StrCmp("request.note", true, "alice");
        Expr badInt = new IntOfCode();
        Expr noSource = new BoolField("ldap.locked");
        Map<Expr, Tri> cases = new LinkedHashMap<>();
        for (Expr error : List.of(unset, badInt, noSource)) {
            cases.put(new And(new Lit(false), error), Tri.FALSE);
            cases.put(new And(error, new Lit(false)), Tri.FALSE);
            cases.put(new Or(new Lit(true), error), Tri.TRUE);
            cases.put(new Or(error, new Lit(true)), Tri.TRUE);
            cases.put(new And(new Lit(true), error), Tri.ERROR);
            cases.put(new And(error, new Lit(true)), Tri.ERROR);
            cases.put(new Or(new Lit(false), error), Tri.ERROR);
            cases.put(new Or(error, new Lit(false)), Tri.ERROR);
            cases.put(new Not(error), Tri.ERROR);
            cases.put(new Not(new And(error, new Lit(false))), Tri.TRUE);
        }
        cases.put(new And(unset, badInt), Tri.ERROR);
        cases.put(new Or(new Has("request.note"), noSource), Tri.ERROR);
        cases.put(new Has("request.note"), Tri.FALSE);
        cases.put(new Has("ldap.locked"), Tri.ERROR);
        List<Rule> rules = new ArrayList<>();
        cases.keySet().forEach(e -> rules.add(new Rule("r" + rules.size(), RuleEffect.ALLOW, e)));

        PolicyResult result = compile(rules).evaluate(name -> switch (name) {
            case "request" -> Optional.of(facts.request());
            case "now" -> Optional.of(facts.now());
            default -> Optional.empty();
        });

        List<Tri> expected = List.copyOf(cases.values());
        for (int i = 0; i < rules.size(); i++) {
            RuleOutcome.Result r = result.outcomes().get(i).result();
            Tri actual = r == RuleOutcome.Result.MATCHED
                    ? Tri.TRUE
                    : r == RuleOutcome.Result.NOT_MATCHED ? Tri.FALSE : Tri.ERROR;
            assertThat(actual).as(rules.get(i).when().cel()).isEqualTo(expected.get(i));
            assertThat(eval(rules.get(i).when(), facts))
                    .as("oracle: " + rules.get(i).when().cel())
                    .isEqualTo(expected.get(i));
        }
    }

    private static void collectStatistics(List<Rule> rules, Expected expected) {
        String outcome = expected.effect() == RuleEffect.ALLOW
                ? "allow"
                : expected.decidingRule().isEmpty()
                        ? "default-deny"
                        : expected.inconclusive() ? "deny-by-error" : "deny-by-rule";
        Statistics.label("outcome").collect(outcome);
        boolean errorInAllow = false;
        boolean errorInDeny = false;
        for (int i = 0; i < rules.size(); i++) {
            if (expected.results().get(i) == RuleOutcome.Result.ERROR) {
                errorInAllow |= rules.get(i).effect() == RuleEffect.ALLOW;
                errorInDeny |= rules.get(i).effect() == RuleEffect.DENY;
            }
        }
        Statistics.label("error-in-allow").collect(errorInAllow);
        Statistics.label("error-in-deny").collect(errorInDeny);
        // Each case must be common, not merely possible: the thresholds sit four or more standard
        // deviations below the shares the generators produce (about 25, 30, 35, 9, 32 and 17 %).
        Statistics.label("outcome").coverage(c -> {
            c.check("allow").percentage(p -> p >= 15);
            c.check("deny-by-rule").percentage(p -> p >= 15);
            c.check("default-deny").percentage(p -> p >= 15);
            c.check("deny-by-error").percentage(p -> p >= 4);
        });
        Statistics.label("error-in-allow").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("error-in-deny").coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    static CompiledPolicy compile(List<Rule> rules) throws PolicyException {
        List<RuleSpec> specs = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            specs.add(new RuleSpec(r.name(), r.effect(), r.when().cel(), "", "random.yaml:" + (i + 1)));
        }
        return new PolicyCompiler(SCHEMA).compile(new PolicySpec(specs, "random.yaml"));
    }

    private static String describe(List<Rule> rules, Facts facts, PolicyResult actual) {
        StringBuilder s = new StringBuilder("facts: ").append(facts).append('\n');
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            RuleOutcome o = actual.outcomes().get(i);
            s.append("  ")
                    .append(r.name())
                    .append(' ')
                    .append(r.effect().label())
                    .append(": ")
                    .append(r.when().cel())
                    .append("  => ")
                    .append(o.result())
                    .append(o.error().map(e -> " (" + e + ")").orElse(""))
                    .append('\n');
        }
        return s.toString();
    }

    // ---- generators ----

    @Provide
    Arbitrary<List<Rule>> policies() {
        // Most policies are short, as written by people; a few are long. The share of deny rules
        // varies per policy so that allows, rule denies and default denies all occur often.
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 3)),
                Tuple.of(4, Arbitraries.integers().between(4, 8)),
                Tuple.of(2, Arbitraries.integers().between(9, 20)));
        Arbitrary<Integer> denyPercent = Arbitraries.of(10, 25, 40, 50);
        return Combinators.combine(size, denyPercent).flatAs((n, deny) -> {
            Arbitrary<RuleEffect> effect = deny == 0
                    ? Arbitraries.just(RuleEffect.ALLOW)
                    : Arbitraries.frequency(Tuple.of(100 - deny, RuleEffect.ALLOW), Tuple.of(deny, RuleEffect.DENY));
            Arbitrary<Tuple.Tuple2<RuleEffect, Expr>> rule =
                    Combinators.combine(effect, expr(3)).as(Tuple::of);
            Arbitrary<String> suffix = Arbitraries.strings()
                    .withChars("abcdefghijklmnopqrstuvwxyz0123456789._-")
                    .ofMaxLength(6);
            return Combinators.combine(rule.list().ofSize(n), suffix.list().ofSize(n))
                    .as((rs, suffixes) -> {
                        List<Rule> out = new ArrayList<>();
                        for (int i = 0; i < rs.size(); i++) {
                            out.add(new Rule(
                                    "r" + i + "-" + suffixes.get(i),
                                    rs.get(i).get1(),
                                    rs.get(i).get2()));
                        }
                        return out;
                    });
        });
    }

    static Arbitrary<Expr> expr(int depth) {
        if (depth == 0) {
            return atom();
        }
        Arbitrary<Expr> sub = Arbitraries.lazy(() -> expr(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, atom()),
                Tuple.of(1, sub.map(Not::new)),
                Tuple.of(2, Combinators.combine(sub, sub).as(And::new)),
                Tuple.of(2, Combinators.combine(sub, sub).as(Or::new)));
    }

    static Arbitrary<Expr> atom() {
        Arbitrary<String> strings = Arbitraries.of(USERS);
        Arbitrary<Expr> lit = Arbitraries.of(true, false).map(Lit::new);
        Arbitrary<Expr> bool = Arbitraries.of("request.admin", "ldap.locked").map(BoolField::new);
        Arbitrary<Expr> str = Combinators.combine(
                        Arbitraries.of("request.user", "request.note"), Arbitraries.of(true, false), strings)
                .as(StrCmp::new);
        Arbitrary<Expr> ints = Combinators.combine(
                        Arbitraries.of("request.project_id", "request.level"),
                        Arbitraries.of(IntOp.class),
                        Arbitraries.of(INTS))
                .as(IntCmp::new);
        Arbitrary<Expr> in = Combinators.combine(
                        Arbitraries.of(GROUPS), Arbitraries.of("request.groups", "ldap.groups"))
                .as(In::new);
        Arbitrary<Expr> has = Arbitraries.of(
                        "request.note", "request.level", "request.until", "request.user", "ldap.locked")
                .map(Has::new);
        Arbitrary<Expr> time = Combinators.combine(
                        Arbitraries.of("request.since", "request.until"), Arbitraries.of(TimeOp.class))
                .as(TimeCmp::new);
        Arbitrary<Expr> code = Arbitraries.just(new IntOfCode());
        return Arbitraries.frequencyOf(
                Tuple.of(1, lit),
                Tuple.of(2, bool),
                Tuple.of(3, str),
                Tuple.of(3, ints),
                Tuple.of(2, in),
                Tuple.of(2, has),
                Tuple.of(2, time),
                Tuple.of(2, code));
    }

    @Provide
    Arbitrary<Facts> facts() {
        Arbitrary<Instant> instants = Arbitraries.of(-2L, -1L, 0L, 1L, 2L).map(h -> BASE.plusSeconds(3600 * h));
        Arbitrary<List<String>> groups =
                Arbitraries.of(GROUPS).list().uniqueElements().ofMaxSize(3);
        Arbitrary<String> note =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(null)), Tuple.of(2, Arbitraries.of(USERS)));
        Arbitrary<Long> level =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(null)), Tuple.of(2, Arbitraries.of(INTS)));
        Arbitrary<Instant> until = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(null)), Tuple.of(2, instants));
        Arbitrary<Availability> ldap = Arbitraries.frequency(
                Tuple.of(2, Availability.PRESENT), Tuple.of(1, Availability.ABSENT), Tuple.of(1, Availability.FAILING));
        Arbitrary<Facts> request = Combinators.combine(
                        Arbitraries.of(USERS),
                        Arbitraries.of(true, false),
                        Arbitraries.of(INTS),
                        groups,
                        Arbitraries.of(CODES),
                        note,
                        level,
                        instants)
                .as((user, admin, projectId, g, code, n, l, since) -> new Facts(
                        user,
                        admin,
                        projectId,
                        g,
                        code,
                        n,
                        l,
                        since,
                        null,
                        null,
                        Availability.PRESENT,
                        List.of(),
                        false));
        return Combinators.combine(request, until, instants, ldap, groups, Arbitraries.of(true, false))
                .as((r, u, now, availability, ldapGroups, locked) -> new Facts(
                        r.user(),
                        r.admin(),
                        r.projectId(),
                        r.groups(),
                        r.code(),
                        r.note(),
                        r.level(),
                        r.since(),
                        u,
                        now,
                        availability,
                        ldapGroups,
                        locked));
    }
}
