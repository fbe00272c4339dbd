package io.cdpaccess.policy;

import com.google.re2j.Pattern;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.CelCall;
import dev.cel.common.ast.CelExpr.ExprKind;
import dev.cel.common.ast.CelReference;
import dev.cel.common.exceptions.CelBadFormatException;
import dev.cel.common.exceptions.CelInvalidArgumentException;
import dev.cel.common.internal.DateTimeHelpers;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.RuntimeHelpers;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembering versions of three standard CEL functions that CEL-Java recomputes on every call:
 * {@code matches} compiles its regular expression each time, {@code timestamp(string)} and
 * {@code duration(string)} parse their text each time. Rules nearly always pass constants
 * ({@code '^IRB-[0-9]{4}-[0-9]{4}$'}, {@code '2026-12-24T00:00:00Z'}), so every decision paid for
 * the same work again: a regular expression alone cost about a tenth of a 20-rule decision.
 *
 * <p>After type checking, a call whose pattern or text is a constant string (and whose other
 * argument is statically a string) is pointed at these; every other call stays with CEL's own
 * functions. So the memos hold only the policy's own constants, never texts derived from requests,
 * and a call can never fail to find its overload here where CEL's would have found one. The
 * bindings carry the standard functions' names, so an error reads as CEL's would
 * ("Function 'timestamp' failed ..."), and give the same results and the same errors.
 */
final class MemoizedCalls {

    private static final String PREFIX = "cdp_memoized_";
    /** Standard overload id → the function's name, as rules write it. */
    private static final Map<String, String> FUNCTIONS = Map.of(
            "matches",
            "matches",
            "matches_string",
            "matches",
            "string_to_timestamp",
            "timestamp",
            "string_to_duration",
            "duration");
    /** Entries per memo: only constants of policies reach it, so this is only a guard. */
    private static final int LIMIT = 1024;

    private MemoizedCalls() {}

    /**
     * The runtime bindings, each with its own memo, for a CEL environment built with {@code options}.
     * cel-java wants function overloads {@code @Immutable}; these close over their memos, which are
     * concurrent maps holding only the policy's own constants and their compiled forms: a race
     * computes the same value twice, never a different one.
     */
    @SuppressWarnings("Immutable") // the memos are thread-safe caches of pure functions; see above
    static List<CelFunctionBinding> bindings(CelOptions options) {
        if (!options.evaluateCanonicalTypesToNativeValues()) {
            throw new IllegalArgumentException("timestamps must evaluate to java.time values");
        }
        Map<String, Pattern> patterns = new ConcurrentHashMap<>();
        Map<String, Instant> timestamps = new ConcurrentHashMap<>();
        Map<String, Duration> durations = new ConcurrentHashMap<>();
        CelFunctionOverload.Binary<String, String> matches = (text, regexp) -> {
            try {
                Pattern pattern = remembered(patterns, regexp, re -> {
                    Pattern compiled = Pattern.compile(re);
                    int maxProgramSize = options.maxRegexProgramSize();
                    if (maxProgramSize >= 0 && compiled.programSize() > maxProgramSize) {
                        throw new IllegalArgumentException(String.format(
                                "Regex pattern exceeds allowed program size. Allowed: %d, Provided: %d",
                                maxProgramSize, compiled.programSize()));
                    }
                    return compiled;
                });
                return options.enableRegexPartialMatch()
                        ? pattern.matcher(text).find()
                        : pattern.matcher(text).matches();
            } catch (RuntimeException e) {
                throw new CelInvalidArgumentException(e); // as CEL's own matches does
            }
        };
        return List.of(
                named(CelFunctionBinding.from(PREFIX + "matches", String.class, String.class, matches)),
                named(CelFunctionBinding.from(PREFIX + "matches_string", String.class, String.class, matches)),
                named(CelFunctionBinding.from(PREFIX + "string_to_timestamp", String.class, text -> {
                    try {
                        return remembered(timestamps, text, DateTimeHelpers::parse);
                    } catch (DateTimeParseException e) {
                        throw new CelBadFormatException(e);
                    }
                })),
                named(CelFunctionBinding.from(PREFIX + "string_to_duration", String.class, text -> {
                    try {
                        return remembered(durations, text, RuntimeHelpers::createJavaDurationFromString);
                    } catch (IllegalArgumentException e) {
                        throw new CelBadFormatException(e);
                    }
                })));
    }

    /** {@code binding} under the name of the standard function it stands in for, which CEL's errors show. */
    private static CelFunctionBinding named(CelFunctionBinding binding) {
        String function = FUNCTIONS.get(binding.getOverloadId().substring(PREFIX.length()));
        return new NamedBinding(function, binding);
    }

    /** {@code ast} with its calls on constant patterns and texts pointed at the memoized overloads. */
    static CelAbstractSyntaxTree reroute(CelAbstractSyntaxTree ast) {
        Map<Long, CelReference> references = new HashMap<>(ast.getReferenceMap());
        boolean changed = false;
        for (CelNavigableExpr node : CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .filter(n -> n.getKind() == ExprKind.Kind.CALL)
                .toList()) {
            CelReference reference = references.get(node.id());
            // Only a call the checker resolved to exactly one overload names it; the planner
            // dispatches the others at run time, to the standard functions.
            if (reference != null
                    && reference.overloadIds().size() == 1
                    && FUNCTIONS.containsKey(reference.overloadIds().get(0))
                    && onConstant(ast, node.expr().call())) {
                references.put(
                        node.id(),
                        CelReference.newBuilder()
                                .setName(reference.name())
                                .addOverloadIds(PREFIX + reference.overloadIds().get(0))
                                .build());
                changed = true;
            }
        }
        return changed
                ? CelAbstractSyntaxTree.newCheckedAst(ast.getExpr(), ast.getSource(), references, ast.getTypeMap())
                : ast;
    }

    /**
     * Whether the call's last argument (the pattern of {@code matches}, the text of
     * {@code timestamp} and {@code duration}) is a string constant, and any other operand is a
     * string by its checked type, not {@code dyn}.
     */
    private static boolean onConstant(CelAbstractSyntaxTree ast, CelCall call) {
        List<CelExpr> operands = new ArrayList<>();
        call.target().ifPresent(operands::add);
        operands.addAll(call.args());
        CelExpr last = operands.get(operands.size() - 1);
        if (last.getKind() != ExprKind.Kind.CONSTANT || last.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
            return false;
        }
        for (CelExpr operand : operands) {
            if (!ast.getType(operand.id()).map(SimpleType.STRING::equals).orElse(false)) {
                return false;
            }
        }
        return true;
    }

    /** A failure is not remembered: it is rare, and the error must be raised again next time. */
    private static <V> V remembered(Map<String, V> memo, String key, Function<String, V> compute) {
        V value = memo.get(key);
        if (value == null) {
            value = compute.apply(key);
            if (memo.size() >= LIMIT) {
                memo.clear();
            }
            memo.put(key, value);
        }
        return value;
    }
}
