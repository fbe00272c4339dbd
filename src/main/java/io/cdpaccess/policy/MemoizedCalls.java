package io.cdpaccess.policy;

import com.google.re2j.Pattern;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.ast.CelReference;
import dev.cel.common.exceptions.CelBadFormatException;
import dev.cel.common.exceptions.CelInvalidArgumentException;
import dev.cel.common.internal.DateTimeHelpers;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.RuntimeHelpers;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembering versions of three standard CEL functions that CEL-Java recomputes on every call:
 * {@code matches} compiles its regular expression each time, {@code timestamp(string)} and
 * {@code duration(string)} parse their text each time. Rules nearly always pass constants
 * ({@code '^IRB-[0-9]{4}-[0-9]{4}$'}, {@code '2026-12-24T00:00:00Z'}), so every decision paid for
 * the same work again: a regular expression alone cost about a tenth of a 20-rule decision.
 * After type checking, a rule's calls to the standard overloads are pointed at these, which give
 * the same results and the same errors (a bad text still fails where the rule reads it).
 */
final class MemoizedCalls {

    private static final String PREFIX = "cdp_memoized_";
    private static final Set<String> OVERLOADS =
            Set.of("matches", "matches_string", "string_to_timestamp", "string_to_duration");
    /** Entries per memo; past this the memo starts again, so rules computing texts cannot grow it without end. */
    private static final int LIMIT = 1024;

    private MemoizedCalls() {
    }

    /** The runtime bindings, each with its own memo, for a CEL environment built with {@code options}. */
    static List<CelFunctionBinding> bindings(CelOptions options) {
        if (!options.evaluateCanonicalTypesToNativeValues()) {
            throw new IllegalArgumentException("timestamps must evaluate to java.time values");
        }
        Map<String, Pattern> patterns = new ConcurrentHashMap<>();
        Map<String, Instant> timestamps = new ConcurrentHashMap<>();
        Map<String, Duration> durations = new ConcurrentHashMap<>();
        CelFunctionOverload.Binary<String, String> matches = (text, regexp) -> {
            try {
                Pattern pattern = remembered(patterns, regexp, Pattern::compile);
                int maxProgramSize = options.maxRegexProgramSize();
                if (maxProgramSize >= 0 && pattern.programSize() > maxProgramSize) {
                    throw new IllegalArgumentException(String.format(
                            "Regex pattern exceeds allowed program size. Allowed: %d, Provided: %d",
                            maxProgramSize, pattern.programSize()));
                }
                return options.enableRegexPartialMatch() ? pattern.matcher(text).find()
                        : pattern.matcher(text).matches();
            } catch (RuntimeException e) {
                throw new CelInvalidArgumentException(e); // as CEL's own matches does
            }
        };
        return List.of(
                CelFunctionBinding.from(PREFIX + "matches", String.class, String.class, matches),
                CelFunctionBinding.from(PREFIX + "matches_string", String.class, String.class, matches),
                CelFunctionBinding.from(PREFIX + "string_to_timestamp", String.class, text -> {
                    try {
                        return remembered(timestamps, text, DateTimeHelpers::parse);
                    } catch (DateTimeParseException e) {
                        throw new CelBadFormatException(e);
                    }
                }),
                CelFunctionBinding.from(PREFIX + "string_to_duration", String.class, text -> {
                    try {
                        return remembered(durations, text, RuntimeHelpers::createJavaDurationFromString);
                    } catch (IllegalArgumentException e) {
                        throw new CelBadFormatException(e);
                    }
                }));
    }

    /** {@code ast} with its calls to the standard overloads pointed at the memoized ones. */
    static CelAbstractSyntaxTree reroute(CelAbstractSyntaxTree ast) {
        Map<Long, CelReference> references = new HashMap<>(ast.getReferenceMap());
        boolean changed = false;
        for (Map.Entry<Long, CelReference> e : ast.getReferenceMap().entrySet()) {
            List<String> overloads = e.getValue().overloadIds();
            // Only a call the checker resolved to exactly one overload names it; the planner
            // dispatches the others at run time, to the standard functions.
            if (overloads.size() == 1 && OVERLOADS.contains(overloads.get(0))) {
                references.put(e.getKey(), CelReference.newBuilder().setName(e.getValue().name())
                        .addOverloadIds(PREFIX + overloads.get(0)).build());
                changed = true;
            }
        }
        return changed ? CelAbstractSyntaxTree.newCheckedAst(ast.getExpr(), ast.getSource(), references,
                ast.getTypeMap()) : ast;
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
