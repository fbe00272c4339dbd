package io.cdpaccess.policy;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableMap;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.extensions.CelOptionalLibrary;
import dev.cel.parser.CelStandardMacro;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The variables rules may use and their types: {@code request}, {@code now}, {@code store}, and
 * one per configured fact source. The schema is what makes {@code request.usr} a configuration
 * error rather than a deny at three in the morning: every rule is type-checked against it.
 */
public final class FactSchema {

    /** A CEL identifier: variable and field names must be one, so that dotted names are unambiguous. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, FactType> variables;
    /** Every variable and field chain by dotted name: a HashMap, the fastest lookup, never modified after. */
    private final Map<String, FactPath> paths = new HashMap<>();

    private final Cel cel;

    private FactSchema(Map<String, FactType> variables) {
        this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        this.variables.forEach((name, type) -> addPath(name, null, name, type));
        this.cel = buildCel(this.variables);
    }

    private void addPath(String name, FactPath parent, String field, FactType type) {
        if (!IDENTIFIER.matcher(field).matches()) {
            throw new IllegalArgumentException("'" + field + "' cannot name a fact in CEL; use letters, digits and _");
        }
        FactPath path = new FactPath(paths.size(), name, parent, field, type);
        if (paths.putIfAbsent(name, path) != null) {
            throw new IllegalArgumentException("two facts are named " + name);
        }
        if (type instanceof FactType.Struct s) {
            s.fields().forEach((child, childType) -> addPath(name + "." + child, path, child, childType));
        }
    }

    /** A schema with exactly these variables, in this order. */
    public static FactSchema of(Map<String, FactType> variables) {
        return new FactSchema(variables);
    }

    public Map<String, FactType> variables() {
        return variables;
    }

    public Optional<FactType> type(String variable) {
        return Optional.ofNullable(variables.get(variable));
    }

    /** The variable or field chain with this dotted name ({@code store.grant.until}), or {@code null}. */
    FactPath path(String name) {
        return paths.get(name);
    }

    /** How many paths there are: the size of an evaluation's arrays. */
    int pathCount() {
        return paths.size();
    }

    Cel cel() {
        return cel;
    }

    private static Cel buildCel(Map<String, FactType> variables) {
        Map<String, FactType.Struct> structs = new LinkedHashMap<>();
        variables.values().forEach(t -> collectStructs(t, structs));
        Map<String, CelType> celTypes = new LinkedHashMap<>();
        structs.forEach((name, struct) -> celTypes.put(name, struct.celType()));
        ImmutableMap<String, CelType> byName = ImmutableMap.copyOf(celTypes);
        CelTypeProvider types = new CelTypeProvider() {
            @Override
            public ImmutableCollection<CelType> types() {
                return byName.values();
            }

            @Override
            public Optional<CelType> findType(String name) {
                return Optional.ofNullable(byName.get(name));
            }
        };
        // The planner runtime reports a missing variable as an error (the legacy one returns an
        // "unknown" value instead) and reads FactStruct fields one at a time.
        CelOptions options = CelOptions.current()
                .enableOptionalSyntax(true)
                .enableHeterogeneousNumericComparisons(true)
                .build();
        CelBuilder builder = CelFactory.plannerCelBuilder()
                .setOptions(options)
                .addFunctionBindings(MemoizedCalls.bindings(options))
                .addFunctionDeclarations(NetworkFunctions.declarations())
                .addFunctionBindings(NetworkFunctions.bindings())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(types)
                .addCompilerLibraries(CelOptionalLibrary.INSTANCE)
                .addRuntimeLibraries(CelOptionalLibrary.INSTANCE)
                .setResultType(dev.cel.common.types.SimpleType.BOOL);
        variables.forEach((name, type) -> builder.addVar(name, type.celType()));
        return builder.build();
    }

    /**
     * Every structure type reachable from {@code type}, by name. One name must mean one structure
     * wherever it appears: CEL resolves field types by the type's name, so a second, different
     * structure under the same name would be checked against the first one's fields.
     */
    private static void collectStructs(FactType type, Map<String, FactType.Struct> out) {
        if (type instanceof FactType.Struct s) {
            FactType.Struct previous = out.putIfAbsent(s.typeName(), s);
            if (previous != null && !previous.equals(s)) {
                throw new IllegalArgumentException("two different structures are named " + s.typeName()
                        + ": one with fields " + previous.fields().keySet() + ", one with "
                        + s.fields().keySet());
            }
            if (previous == null) {
                s.fields().values().forEach(f -> collectStructs(f, out));
            }
        } else if (type instanceof FactType.ListOf l) {
            collectStructs(l.element(), out);
        }
    }
}
