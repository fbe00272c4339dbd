package io.cdpaccess.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.CelCall;
import dev.cel.common.ast.CelExpr.ExprKind;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IP addresses and networks as typed CEL values, after Kubernetes' CEL IP and CIDR libraries
 * (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go), which CEL-Java 0.14 does not have:
 *
 * <pre>
 * ip('10.0.0.5'), isIP(s), ip.isCanonical(s)      → net.IP, bool, bool
 * &lt;IP&gt;.family() (4 or 6), .isLoopback(), .isUnspecified(), string(&lt;IP&gt;), &lt;IP&gt; == &lt;IP&gt;
 * cidr('10.0.0.0/8'), isCIDR(s)                     → net.CIDR, bool
 * &lt;CIDR&gt;.containsIP(&lt;IP&gt; or string), .containsCIDR(&lt;CIDR&gt; or string)
 * &lt;CIDR&gt;.ip(), .prefixLength(), string(&lt;CIDR&gt;), &lt;CIDR&gt; == &lt;CIDR&gt;
 * </pre>
 *
 * Comparing text ({@code request.caller_ip.startsWith('10.')}) is easy to get wrong: it matches
 * {@code 100.1.2.3}, and an IPv6 address has many spellings. Typed values compare addresses.
 *
 * <p>Values are the project's own: an {@link InetAddress} (parsed by {@link IpAddresses}, never
 * through DNS) and a {@link Cidr}; both compare by value, which is what CEL's {@code ==} uses.
 * Where they differ from Kubernetes: an IPv4-mapped address ({@code ::ffff:10.0.0.5}) is the IPv4
 * address, as in {@code request.caller_ip}, rather than an error; a network's host bits are
 * cleared ({@code cidr('10.1.2.3/8').ip()} is {@code 10.0.0.0}); {@code cidr} needs a prefix
 * length. Text that is not an address or a network is an evaluation error, and when it is a
 * constant in the rule, a load-time error ({@link #literalProblems}).
 */
final class NetworkFunctions {

    static final OpaqueType IP = OpaqueType.create("net.IP");
    static final OpaqueType CIDR = OpaqueType.create("net.CIDR");

    private static final CelType STRING = SimpleType.STRING;
    private static final CelType BOOL = SimpleType.BOOL;
    private static final CelType INT = SimpleType.INT;

    private NetworkFunctions() {}

    static List<CelFunctionDecl> declarations() {
        return List.of(
                function(
                        "ip",
                        CelOverloadDecl.newGlobalOverload("ip_string", IP, STRING),
                        CelOverloadDecl.newMemberOverload("net_cidr_ip", IP, CIDR)),
                function("isIP", CelOverloadDecl.newGlobalOverload("is_ip_string", BOOL, STRING)),
                function("ip.isCanonical", CelOverloadDecl.newGlobalOverload("ip_is_canonical_string", BOOL, STRING)),
                function("family", CelOverloadDecl.newMemberOverload("net_ip_family", INT, IP)),
                function("isLoopback", CelOverloadDecl.newMemberOverload("net_ip_is_loopback", BOOL, IP)),
                function("isUnspecified", CelOverloadDecl.newMemberOverload("net_ip_is_unspecified", BOOL, IP)),
                function(
                        "string",
                        CelOverloadDecl.newGlobalOverload("string_net_ip", STRING, IP),
                        CelOverloadDecl.newGlobalOverload("string_net_cidr", STRING, CIDR)),
                function("cidr", CelOverloadDecl.newGlobalOverload("cidr_string", CIDR, STRING)),
                function("isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr_string", BOOL, STRING)),
                function(
                        "containsIP",
                        CelOverloadDecl.newMemberOverload("net_cidr_contains_ip", BOOL, CIDR, IP),
                        CelOverloadDecl.newMemberOverload("net_cidr_contains_ip_string", BOOL, CIDR, STRING)),
                function(
                        "containsCIDR",
                        CelOverloadDecl.newMemberOverload("net_cidr_contains_cidr", BOOL, CIDR, CIDR),
                        CelOverloadDecl.newMemberOverload("net_cidr_contains_cidr_string", BOOL, CIDR, STRING)),
                function("prefixLength", CelOverloadDecl.newMemberOverload("net_cidr_prefix_length", INT, CIDR)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                named("ip", CelFunctionBinding.from("ip_string", String.class, NetworkFunctions::ip)),
                named(
                        "isIP",
                        CelFunctionBinding.from(
                                "is_ip_string",
                                String.class,
                                s -> problemWithIp(s).isEmpty())),
                named(
                        "ip.isCanonical",
                        CelFunctionBinding.from(
                                "ip_is_canonical_string",
                                String.class,
                                s -> IpAddresses.canonical(ip(s)).equals(s))),
                named(
                        "family",
                        CelFunctionBinding.from(
                                "net_ip_family", InetAddress.class, a -> a instanceof Inet4Address ? 4L : 6L)),
                named(
                        "isLoopback",
                        CelFunctionBinding.from(
                                "net_ip_is_loopback", InetAddress.class, InetAddress::isLoopbackAddress)),
                named(
                        "isUnspecified",
                        CelFunctionBinding.from(
                                "net_ip_is_unspecified", InetAddress.class, InetAddress::isAnyLocalAddress)),
                named("string", CelFunctionBinding.from("string_net_ip", InetAddress.class, IpAddresses::canonical)),
                named("string", CelFunctionBinding.from("string_net_cidr", Cidr.class, Cidr::canonicalText)),
                named("cidr", CelFunctionBinding.from("cidr_string", String.class, NetworkFunctions::cidr)),
                named(
                        "isCIDR",
                        CelFunctionBinding.from(
                                "is_cidr_string",
                                String.class,
                                s -> problemWithCidr(s).isEmpty())),
                named(
                        "containsIP",
                        CelFunctionBinding.from(
                                "net_cidr_contains_ip", Cidr.class, InetAddress.class, (n, a) -> n.contains(a))),
                named(
                        "containsIP",
                        CelFunctionBinding.from(
                                "net_cidr_contains_ip_string", Cidr.class, String.class, (n, s) -> n.contains(ip(s)))),
                named(
                        "containsCIDR",
                        CelFunctionBinding.from(
                                "net_cidr_contains_cidr", Cidr.class, Cidr.class, (n, other) -> n.contains(other))),
                named(
                        "containsCIDR",
                        CelFunctionBinding.from(
                                "net_cidr_contains_cidr_string",
                                Cidr.class,
                                String.class,
                                (n, s) -> n.contains(cidr(s)))),
                named("ip", CelFunctionBinding.from("net_cidr_ip", Cidr.class, Cidr::address)),
                named("prefixLength", CelFunctionBinding.from("net_cidr_prefix_length", Cidr.class, n ->
                        (long) n.prefixLength())));
    }

    /**
     * A problem for every constant text the rule hands to {@code ip}, {@code cidr},
     * {@code containsIP} or {@code containsCIDR} that is not an address or a network, each as
     * {@code line:column: what}: such a rule could only ever fail, so it must not load.
     */
    static List<String> literalProblems(CelAbstractSyntaxTree ast) {
        List<String> problems = new ArrayList<>();
        CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .filter(n -> n.getKind() == ExprKind.Kind.CALL)
                .map(CelNavigableExpr::expr)
                .forEach(call -> literal(call).ifPresent(text -> {
                    CelCall c = call.call();
                    Optional<String> problem = switch (c.function()) {
                        case "ip", "containsIP" -> problemWithIp(text);
                        default -> problemWithCidr(text);
                    };
                    problem.ifPresent(p -> problems.add(
                            position(ast, c.args().get(0)) + ": " + c.function() + "('" + text + "'): " + p));
                }));
        return problems;
    }

    /** The constant text of a checked call that takes an address or a network as text. */
    private static Optional<String> literal(CelExpr call) {
        CelCall c = call.call();
        boolean global = c.target().isEmpty();
        boolean takesText = switch (c.function()) {
            case "ip", "cidr" -> global;
            case "containsIP", "containsCIDR" -> !global;
            default -> false;
        };
        if (!takesText || c.args().size() != 1) {
            return Optional.empty();
        }
        CelExpr arg = c.args().get(0);
        return arg.getKind() == ExprKind.Kind.CONSTANT && arg.constant().getKind() == CelConstant.Kind.STRING_VALUE
                ? Optional.of(arg.constant().stringValue())
                : Optional.empty();
    }

    /** {@code line:column} of an expression, as the compiler's own errors say it. */
    private static String position(CelAbstractSyntaxTree ast, CelExpr expr) {
        Map<Long, Integer> positions = ast.getSource().getPositionsMap();
        Integer offset = positions.get(expr.id());
        CelSourceLocation at = offset == null
                ? CelSourceLocation.NONE
                : ast.getSource().getOffsetLocation(offset).orElse(CelSourceLocation.NONE);
        return at.getLine() + ":" + (at.getColumn() + 1);
    }

    private static InetAddress ip(String text) {
        Optional<String> problem = problemWithIp(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return IpAddresses.parseLiteral(text);
    }

    private static Cidr cidr(String text) {
        Optional<String> problem = problemWithCidr(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return Cidr.parse(text);
    }

    /** Brackets, zones and surrounding spaces, which {@link IpAddresses} forgives elsewhere, are refused here. */
    private static Optional<String> problemWithIp(String text) {
        if (text.indexOf('/') >= 0) {
            return Optional.of("not an IP address (a network? use cidr)");
        }
        if (!text.equals(text.strip()) || text.indexOf('[') >= 0 || text.indexOf('%') >= 0) {
            return Optional.of("not an IP address: write it bare, e.g. 10.0.0.5 or 2001:db8::5");
        }
        try {
            IpAddresses.parseLiteral(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("not an IP address");
        }
    }

    private static Optional<String> problemWithCidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.of("not a network: give a prefix length, e.g. 10.0.0.0/8 or 2001:db8::/32");
        }
        Optional<String> address = problemWithIp(text.substring(0, slash));
        if (address.isPresent()) {
            return Optional.of("not a network: the part before / is " + address.get());
        }
        try {
            Cidr.parse(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("not a network: " + e.getMessage());
        }
    }

    private static CelFunctionDecl function(String name, CelOverloadDecl... overloads) {
        return CelFunctionDecl.newFunctionDeclaration(name, overloads);
    }

    private static CelFunctionBinding named(String function, CelFunctionBinding binding) {
        return new NamedBinding(function, binding);
    }
}
