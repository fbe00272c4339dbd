package io.cdpaccess.whatif;

import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.decision.CoreFacts;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * What-if: evaluates recorded decisions again, with the facts recorded then, under another policy,
 * and reports every decision whose answer would flip. Nothing is fetched from the store or any
 * source: a decision is replayed exactly as it was seen. Decisions that never reached a policy
 * (refused callers, malformed requests) are skipped; those whose new rules read facts that were
 * not fetched then are replayed but flagged incomplete (the missing facts make those rules fail).
 * Request facts recorded by an earlier version are read as this one builds them
 * ({@link CoreFacts#recordedRequest}): {@code request.user} is always the normalized name.
 */
public final class PolicyReplay {

    /** One decision that would be answered differently. */
    public record Flip(
            DecisionRecord record,
            String oldEffect,
            String oldRule,
            String newEffect,
            String newRule,
            boolean incomplete) {}

    /** The whole replay. */
    public record Report(
            long replayed,
            long skipped,
            long incomplete,
            List<Flip> flips,
            Map<String, Long> flipsByNewRule,
            Map<String, Long> flipsByOldRule) {

        public long allowToDeny() {
            return flips.stream().filter(f -> f.oldEffect().equals("allow")).count();
        }

        public long denyToAllow() {
            return flips.stream().filter(f -> f.newEffect().equals("allow")).count();
        }
    }

    private PolicyReplay() {}

    public static Report replay(CompiledPolicy policy, DecisionQuery query, DecisionFilter filter) throws SQLException {
        return replay(policy, query, filter, done -> {});
    }

    /**
     * As {@link #replay(CompiledPolicy, DecisionQuery, DecisionFilter)}, telling {@code progress}
     * the number of records read so far (replayed or skipped) after each.
     */
    public static Report replay(
            CompiledPolicy policy, DecisionQuery query, DecisionFilter filter, LongConsumer progress)
            throws SQLException {
        long[] counts = new long[3]; // replayed, skipped, incomplete
        List<Flip> flips = new ArrayList<>();
        Map<String, Long> byNew = new TreeMap<>();
        Map<String, Long> byOld = new TreeMap<>();
        query.forEach(filter, record -> {
            progress.accept(counts[0] + counts[1] + 1);
            if (record.explanation().isEmpty()) {
                counts[1]++;
                return;
            }
            Explanations.Recorded recorded;
            try {
                recorded = Explanations.parse(record.explanation().get());
            } catch (IllegalArgumentException unreadable) {
                counts[1]++;
                return;
            }
            counts[0]++;
            Set<String> missing = new LinkedHashSet<>(policy.variables());
            missing.removeAll(recorded.facts().keySet());
            boolean incomplete = !missing.isEmpty();
            if (incomplete) {
                counts[2]++;
            }
            PolicyResult now = policy.evaluate(variable -> Optional.ofNullable(
                            recorded.facts().get(variable))
                    .map(value -> variable.equals(CoreFacts.REQUEST_VAR) ? CoreFacts.recordedRequest(value) : value));
            String oldEffect = recorded.effect();
            String newEffect = now.effect().label();
            if (!oldEffect.equals(newEffect)) {
                String oldRule = record.effect() == Effect.ERROR ? record.reason() : recorded.rule();
                flips.add(new Flip(record, oldEffect, oldRule, newEffect, now.reason(), incomplete));
                byNew.merge(now.reason(), 1L, Long::sum);
                byOld.merge(oldRule, 1L, Long::sum);
            }
        });
        return new Report(counts[0], counts[1], counts[2], flips, byNew, byOld);
    }
}
