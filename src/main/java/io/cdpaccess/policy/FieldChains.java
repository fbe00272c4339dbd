package io.cdpaccess.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelMutableAst;
import dev.cel.common.ast.CelExpr.ExprKind;
import dev.cel.common.ast.CelMutableExpr;
import dev.cel.common.ast.CelMutableExpr.CelMutableComprehension;
import dev.cel.common.ast.CelMutableExpr.CelMutableIdent;
import dev.cel.common.ast.CelMutableExpr.CelMutableSelect;
import dev.cel.common.ast.CelReference;
import dev.cel.common.navigation.CelNavigableMutableExpr;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites each chain of field selections on a fact, such as {@code store.grant.active}, into one
 * reference to the whole name, after type checking. CEL would otherwise look up {@code store}
 * and then select {@code grant} and {@code active} through its generic qualifier machinery on
 * every read, which measured about 250 ns per read and most of a decision's time; as one name it
 * is one lookup in {@link CompiledPolicy}'s per-evaluation slots. The type checker resolves
 * dotted variable names the same way when a container declares them, and the planner runs such
 * references as plain variables, so the meaning of the rule does not change:
 * <ul>
 *   <li>presence tests stay field selections: in {@code has(store.grant.until)} only the operand
 *       {@code store.grant} becomes one name, so an unset field still tests false;</li>
 *   <li>a name that a comprehension binds ({@code xs.exists(store, store.x)}) is left alone
 *       wherever it occurs in that rule, so a local never turns into the fact it shadows.</li>
 * </ul>
 */
final class FieldChains {

    private FieldChains() {}

    static CelAbstractSyntaxTree flatten(CelAbstractSyntaxTree ast, FactSchema schema) {
        CelMutableAst mutable = CelMutableAst.fromCelAst(ast);
        CelNavigableMutableExpr root = CelNavigableMutableExpr.fromExpr(mutable.expr());
        Set<String> bound = new HashSet<>();
        root.allNodes().filter(n -> n.getKind() == ExprKind.Kind.COMPREHENSION).forEach(n -> {
            CelMutableComprehension c = n.expr().comprehension();
            bound.add(c.iterVar());
            bound.add(c.iterVar2());
            bound.add(c.accuVar());
        });
        Map<Long, CelReference> references = new HashMap<>(ast.getReferenceMap());
        if (!new Rewriter(schema, references, bound).rewrite(mutable.expr())) {
            return ast;
        }
        return CelAbstractSyntaxTree.newCheckedAst(
                mutable.toParsedAst().getExpr(), ast.getSource(), references, ast.getTypeMap());
    }

    private record Rewriter(FactSchema schema, Map<Long, CelReference> references, Set<String> bound) {

        /** Rewrites the longest chains in {@code expr}; true if any. */
        boolean rewrite(CelMutableExpr expr) {
            if (expr.getKind() == ExprKind.Kind.SELECT) {
                FactPath path = chain(expr);
                if (path != null) {
                    // The node keeps its id, so its type (already in the type map) and its position
                    // in the source (for error messages) stay as the checker recorded them.
                    expr.setIdent(CelMutableIdent.create(path.name()));
                    references.put(
                            expr.id(),
                            CelReference.newBuilder().setName(path.name()).build());
                    return true;
                }
            }
            boolean any = false;
            for (CelNavigableMutableExpr child :
                    CelNavigableMutableExpr.fromExpr(expr).children().toList()) {
                any |= rewrite(child.expr());
            }
            return any;
        }

        /** The fact path {@code expr} names, when it is a variable or a field chain on one. */
        private FactPath chain(CelMutableExpr expr) {
            if (expr.getKind() == ExprKind.Kind.IDENT) {
                CelReference ref = references.get(expr.id());
                String name = expr.ident().name();
                if (ref == null || !ref.name().equals(name) || ref.value().isPresent() || bound.contains(name)) {
                    return null;
                }
                FactPath path = schema.path(name);
                return path != null && path.isVariable() ? path : null;
            }
            if (expr.getKind() == ExprKind.Kind.SELECT && !expr.select().testOnly()) {
                CelMutableSelect select = expr.select();
                FactPath operand = chain(select.operand());
                return operand == null ? null : schema.path(operand.name() + "." + select.field());
            }
            return null;
        }
    }
}
