package io.cdpaccess.policy;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelReference;
import dev.cel.optimizer.CelOptimizationException;
import dev.cel.optimizer.CelOptimizer;
import dev.cel.optimizer.CelOptimizerFactory;
import dev.cel.optimizer.optimizers.ConstantFoldingOptimizer;
import dev.cel.runtime.CelEvaluationException;
import io.cdpaccess.ids.Sha256;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and type-checks every rule of a policy against a {@link FactSchema}, collecting all
 * problems (each naming file, line, rule and the position inside the expression) before giving
 * up, so an administrator fixes a broken policy in one round.
 */
public final class PolicyCompiler {

    private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final FactSchema schema;
    private final CelOptimizer optimizer;

    public PolicyCompiler(FactSchema schema) {
        this.schema = schema;
        this.optimizer = CelOptimizerFactory.standardCelOptimizerBuilder(schema.cel())
                .addAstOptimizers(ConstantFoldingOptimizer.getInstance())
                .build();
    }

    public CompiledPolicy compile(PolicySpec spec) throws PolicyException {
        List<String> problems = new ArrayList<>();
        List<CompiledPolicy.Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Cel cel = schema.cel();
        if (spec.rules().isEmpty()) {
            problems.add(spec.origin() + ": the policy has no rules; with none, everyone is denied");
        }
        for (RuleSpec rule : spec.rules()) {
            String where = rule.origin() + ": rule '" + rule.name() + "'";
            if (!RULE_NAME.matcher(rule.name()).matches() || rule.name().equals(PolicyResult.NO_RULE_MATCHED)) {
                problems.add(where + ": name must be 1-64 lower-case letters, digits, '.', '-' or '_'"
                        + " (it becomes the reason code) and not " + PolicyResult.NO_RULE_MATCHED);
            } else if (!names.add(rule.name())) {
                problems.add(where + ": another rule has the same name; reason codes must be unambiguous");
            }
            if (rule.when() == null || rule.when().isBlank()) {
                problems.add(where + ": when is empty");
                continue;
            }
            CelValidationResult result = cel.compile(rule.when(), rule.name());
            if (result.hasError()) {
                for (CelIssue issue : result.getErrors()) {
                    CelSourceLocation at = issue.getSourceLocation();
                    problems.add(where + ": " + at.getLine() + ":" + (at.getColumn() + 1) + ": " + issue.getMessage());
                }
                continue;
            }
            try {
                CelAbstractSyntaxTree ast = result.getAst();
                // A constant that is not an address or a network could only ever fail: refuse it now.
                List<String> badLiterals = NetworkFunctions.literalProblems(ast);
                if (!badLiterals.isEmpty()) {
                    badLiterals.forEach(p -> problems.add(where + ": " + p));
                    continue;
                }
                CelAbstractSyntaxTree runnable = MemoizedCalls.reroute(FieldChains.flatten(folded(ast), schema));
                rules.add(new CompiledPolicy.Rule(rule, cel.createProgram(runnable), referencedVariables(ast)));
            } catch (CelValidationException | CelEvaluationException e) {
                problems.add(where + ": " + e.getMessage().lines().findFirst().orElse("cannot be compiled"));
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return new CompiledPolicy(rules, schema, spec.origin(), fingerprint(spec));
    }

    /**
     * The expression with its constant parts computed once, here, instead of on every decision:
     * {@code timestamp("2026-12-24T00:00:00Z")}, {@code duration("720h")}, constant lists. When
     * folding fails (a constant part that errs, such as {@code int("x")}), the rule keeps its
     * unfolded form, so the error still happens where the policy says, at evaluation.
     */
    private CelAbstractSyntaxTree folded(CelAbstractSyntaxTree ast) {
        try {
            return optimizer.optimize(ast);
        } catch (CelOptimizationException | RuntimeException e) {
            return ast;
        }
    }

    /** Top-level variables an expression references (comprehension variables excluded). */
    private Set<String> referencedVariables(CelAbstractSyntaxTree ast) {
        Set<String> out = new LinkedHashSet<>();
        for (CelReference ref : ast.getReferenceMap().values()) {
            if (ref.overloadIds().isEmpty()
                    && ref.value().isEmpty()
                    && schema.variables().containsKey(ref.name())) {
                out.add(ref.name());
            }
        }
        return out;
    }

    private static String fingerprint(PolicySpec spec) {
        return Sha256.hexPrefix(canonical(spec), 6);
    }

    /**
     * The SHA-256 (hex) of the rules as they decide (each rule's name, effect and expression), as
     * the record of a policy load keeps it; the policy's version is its first 6 bytes.
     */
    public static String sha256(PolicySpec spec) {
        return java.util.HexFormat.of().formatHex(Sha256.of(canonical(spec)));
    }

    private static String canonical(PolicySpec spec) {
        StringBuilder canonical = new StringBuilder();
        for (RuleSpec r : spec.rules()) {
            canonical
                    .append(r.name())
                    .append('\u0000')
                    .append(r.effect())
                    .append('\u0000')
                    .append(r.when().strip())
                    .append('\u0001');
        }
        return canonical.toString();
    }
}
