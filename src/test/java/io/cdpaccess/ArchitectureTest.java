package io.cdpaccess;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the main code, as the README's "Architecture" table states it: which packages
 * are leaves, which package may use which, no cycles between packages (the root package
 * included), and the one place cel-java's internal types may be used. A new dependency that
 * breaks it fails the build here, with the offending class and line.
 */
class ArchitectureTest {

    private static final String BASE = "io.cdpaccess";

    /** Packages that use no other package of the project; any package may use them. */
    private static final Set<String> LEAVES = Set.of("net", "protocol", "outcome", "ids", "time", "files", "chain");

    /**
     * For every other package, the packages (besides the leaves) it may use, top of the request
     * path first. "root" is {@code io.cdpaccess} itself, where {@code Application} wires everything.
     */
    private static final Map<String, Set<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put(
                "cli",
                Set.of(
                        "root",
                        "doctor",
                        "http",
                        "tls",
                        "whatif",
                        "report",
                        "access",
                        "meters",
                        "decision",
                        "source",
                        "audit",
                        "store",
                        "db",
                        "config",
                        "policy",
                        "ops"));
        MAY_USE.put(
                "root",
                Set.of(
                        "http",
                        "tls",
                        "access",
                        "meters",
                        "decision",
                        "source",
                        "audit",
                        "store",
                        "db",
                        "config",
                        "policy",
                        "ops"));
        MAY_USE.put("http", Set.of("tls", "access", "meters", "decision", "audit", "store", "config", "policy", "ops"));
        MAY_USE.put("tls", Set.of("config"));
        MAY_USE.put("meters", Set.of("access", "source", "audit", "store", "config", "policy", "ops"));
        MAY_USE.put("report", Set.of("decision", "source", "audit", "store", "config", "policy", "ops"));
        MAY_USE.put("whatif", Set.of("decision", "audit", "config", "policy"));
        MAY_USE.put("access", Set.of("decision", "audit", "config", "policy"));
        MAY_USE.put("decision", Set.of("source", "store", "config", "policy"));
        MAY_USE.put("source", Set.of("config", "policy", "ops"));
        MAY_USE.put("audit", Set.of("db", "policy", "ops"));
        MAY_USE.put("store", Set.of("db"));
        MAY_USE.put("db", Set.of("config"));
        MAY_USE.put("config", Set.of("policy"));
        MAY_USE.put("doctor", Set.of());
        MAY_USE.put("policy", Set.of());
        MAY_USE.put("ops", Set.of());
    }

    private static JavaClasses main;

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(BASE);
    }

    @Test
    void everyPackageIsNamedInTheLayering() {
        Set<String> packages =
                main.stream().map(ArchitectureTest::layer).collect(Collectors.toCollection(TreeSet::new));
        Set<String> known = new TreeSet<>(LEAVES);
        known.addAll(MAY_USE.keySet());
        assertThat(packages)
                .as("packages of the main code; add a new one to the layering (and the README)")
                .isEqualTo(known);
    }

    @Test
    void leavesUseNoOtherPackageOfTheProject() {
        for (String leaf : LEAVES) {
            noClasses()
                    .that(inLayer(leaf))
                    .should()
                    .dependOnClassesThat(inAnyLayerBut(Set.of(leaf)))
                    .because(leaf + " is a leaf: values and rules that know nothing of the rest of the service")
                    .check(main);
        }
    }

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() {
        MAY_USE.forEach((layer, allowed) -> {
            Set<String> mayUse = new TreeSet<>(allowed);
            mayUse.addAll(LEAVES);
            mayUse.add(layer);
            noClasses()
                    .that(inLayer(layer))
                    .should()
                    .dependOnClassesThat(inAnyLayerBut(mayUse))
                    .because(layer + " may use only " + String.join(", ", mayUse))
                    .check(main);
        });
    }

    @Test
    void thereAreNoCyclesBetweenPackagesTheRootIncluded() {
        SlicesRuleDefinition.slices()
                .assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                        return javaClass.getPackageName().startsWith(BASE)
                                ? SliceIdentifier.of(layer(javaClass))
                                : SliceIdentifier.ignore();
                    }

                    @Override
                    public String getDescription() {
                        return "the packages of io.cdpaccess, its root included";
                    }
                })
                .should()
                .beFreeOfCycles()
                .check(main);
    }

    @Test
    void celJavasInternalTypesAreUsedOnlyWhereTheUpgradeNoteSaysSo() {
        // cel-java marks these @Internal: they may change in any release. docs/UPGRADING.md lists
        // each use and what to re-run when cel-java is upgraded; a new use must be added there.
        Map<String, Set<String>> uses = new java.util.TreeMap<>();
        for (JavaClass c : main) {
            c.getDirectDependenciesFromSelf().stream()
                    .map(d -> d.getTargetClass().getBaseComponentType())
                    .filter(target -> target.isAnnotatedWith(CEL_INTERNAL))
                    .forEach(target -> uses.computeIfAbsent(outermost(c).getSimpleName(), k -> new TreeSet<>())
                            .add(target.getSimpleName()));
        }
        assertThat(uses)
                .isEqualTo(Map.of(
                        "CompiledPolicy", Set.of("CelAttributeNotFoundException"),
                        "FactScalar", Set.of("CelValue"),
                        "FactStruct", Set.of("CelAttributeNotFoundException"),
                        "FieldChains", Set.of("CelReference"),
                        "MemoizedCalls",
                                Set.of(
                                        "CelBadFormatException",
                                        "CelConstant",
                                        "CelInvalidArgumentException",
                                        "CelReference",
                                        "DateTimeHelpers",
                                        "RuntimeHelpers"),
                        "NamedBinding", Set.of("InternalCelFunctionBinding"),
                        "NetworkFunctions", Set.of("CelConstant"),
                        "PolicyCompiler", Set.of("CelReference")));
        noClasses()
                .that()
                .resideOutsideOfPackage(BASE + ".policy")
                .should()
                .dependOnClassesThat()
                .areAnnotatedWith(CEL_INTERNAL)
                .because("only the policy package may depend on cel-java's internals")
                .check(main);
    }

    private static final String CEL_INTERNAL = "dev.cel.common.annotations.Internal";

    private static JavaClass outermost(JavaClass c) {
        JavaClass current = c;
        while (current.getEnclosingClass().isPresent()) {
            current = current.getEnclosingClass().get();
        }
        return current;
    }

    /** The package right below {@code io.cdpaccess} a class is in, {@code root} for the root itself. */
    private static String layer(JavaClass c) {
        String pkg = c.getPackageName();
        if (pkg.equals(BASE)) {
            return "root";
        }
        String rest = pkg.substring(BASE.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static DescribedPredicate<JavaClass> inLayer(String layer) {
        return DescribedPredicate.describe(
                "are in " + layer, c -> c.getPackageName().startsWith(BASE) && layer(c).equals(layer));
    }

    private static DescribedPredicate<JavaClass> inAnyLayerBut(Set<String> allowed) {
        return DescribedPredicate.describe(
                "are in a package of the project other than " + String.join(", ", allowed),
                c -> c.getPackageName().startsWith(BASE) && !allowed.contains(layer(c)));
    }
}
