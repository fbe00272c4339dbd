package io.cdpaccess.decision;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.policy.SourceUse;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.source.SourceLookups;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides one well-formed request: the policy's rules over the facts of the request, the time,
 * the store (an in-memory snapshot) and, as they arrive, the configured fact sources — each
 * fetched only if a rule reads it. The same code serves the endpoint and {@code check}.
 *
 * <p>One check stays outside the policy and cannot be written away: a caller authenticated as
 * one REDCap installation never gets an answer about another ({@code instance-mismatch}). Any
 * exception is an error, never an allow.
 */
public final class Decider {

    private final Supplier<Rules> rules;
    private final Supplier<StoreSnapshot> snapshots;
    private final Clock clock;

    private Decider(Clock clock, Supplier<Rules> rules, Supplier<StoreSnapshot> snapshots) {
        this.rules = rules;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /** A decider for policies that read no fact source. */
    public Decider(Supplier<CompiledPolicy> policy, Supplier<StoreSnapshot> snapshots, Clock clock) {
        this(clock, () -> Rules.of(policy.get()), snapshots);
    }

    /** A decider for policies served with their fact sources, read together from {@code rules}. */
    public static Decider withSources(Supplier<Rules> rules, Supplier<StoreSnapshot> snapshots, Clock clock) {
        return new Decider(clock, rules, snapshots);
    }

    /**
     * Decides whether the request's user may use EHR data in its project.
     *
     * @param instance the REDCap installation the caller authenticated as
     * @param callerIp the caller's address, when there is a caller (not for {@code check})
     * @param deadline the answer is an error once this passes
     */
    public Decision decide(
            InstanceConfig instance, AccessRequest request, Optional<String> callerIp, Deadline deadline) {
        try {
            if (!instance.answersFor(request.redcapUrl())) {
                return Decision.outside(
                        Effect.DENY,
                        Reason.INSTANCE_MISMATCH,
                        "instance " + instance.name() + " is bound to "
                                + instance.redcapUrl().map(Object::toString).orElse("*"));
            }
            Instant now = clock.instant();
            Rules serving = rules.get(); // once: the policy and its sources, as one
            CompiledPolicy policy = serving.policy();
            SourceLookups lookups = serving.sources()
                    .start(
                            policy.variables(),
                            request.normalizedUser(),
                            request.projectId(),
                            instance.name(),
                            now,
                            deadline);
            Map<String, SourceUse> sources = new LinkedHashMap<>();
            Map<String, Object> requestFacts = CoreFacts.request(request, instance, callerIp);
            PolicyResult evaluated = policy.evaluate(variable -> switch (variable) {
                case CoreFacts.REQUEST_VAR -> Optional.of(requestFacts);
                case CoreFacts.NOW_VAR -> Optional.of(now);
                case CoreFacts.STORE_VAR -> {
                    long start = System.nanoTime();
                    Object store = CoreFacts.store(snapshots.get(), instance.name(), request, now);
                    // The store is always read from the in-memory snapshot: in effect a cache.
                    sources.put(CoreFacts.STORE_VAR, SourceUse.answered((System.nanoTime() - start) / 1_000, true));
                    yield Optional.of(store);
                }
                default -> lookups.facts(variable);
            });
            sources.putAll(lookups.uses());
            // The request and the time cost nothing to keep, and a what-if replay under a policy
            // that reads them needs them even when this policy did not.
            Map<String, Object> recorded = new LinkedHashMap<>();
            recorded.put(CoreFacts.REQUEST_VAR, requestFacts);
            recorded.put(CoreFacts.NOW_VAR, now);
            recorded.putAll(evaluated.facts());
            PolicyResult result = evaluated.withFacts(recorded);
            if (deadline.passed()) {
                return Decision.outside(Effect.ERROR, Reason.DEADLINE_EXCEEDED, "decided after the deadline");
            }
            if (result.inconclusive()) {
                // Still a deny, but one that rests on a failure (a source down, a bad conversion):
                // answered 503 so operators see an outage, not a wave of ordinary denies.
                return new Decision(
                        Effect.ERROR,
                        Reason.FACT_ERROR.code(),
                        String.join("; ", result.errors()),
                        Optional.empty(),
                        Optional.of(result),
                        sources);
            }
            Effect effect = result.allowed() ? Effect.ALLOW : Effect.DENY;
            return new Decision(
                    effect,
                    result.reason(),
                    detail(result) + staleNote(lookups),
                    result.allowed() ? activeGrant(result) : Optional.empty(),
                    Optional.of(result),
                    sources);
        } catch (RuntimeException e) {
            return Decision.outside(
                    Effect.ERROR, Reason.INTERNAL_ERROR, e.getClass().getSimpleName());
        }
    }

    /**
     * The deciding rule, the facts it read, and the whole record those facts belong to (the grant,
     * the block, the project), as one line for the decision log: enough to answer "why?" without
     * opening the explanation.
     */
    static String detail(PolicyResult result) {
        RuleOutcome deciding = null;
        for (RuleOutcome o : result.outcomes()) {
            if (result.decidingRule().map(o.rule()::equals).orElse(false)) {
                deciding = o;
                break;
            }
        }
        if (deciding == null) {
            return "no rule matched (policy " + result.policyVersion() + ")";
        }
        StringBuilder text = new StringBuilder(256)
                .append(deciding.rule())
                .append(' ')
                .append(deciding.result().label());
        deciding.error().ifPresent(e -> text.append(" (").append(e).append(')'));
        String separator = ": ";
        Set<String> records = new LinkedHashSet<>();
        for (Map.Entry<String, Object> read : deciding.read().entrySet()) {
            text.append(separator).append(read.getKey()).append('=').append(read.getValue());
            separator = ", ";
            int dot = read.getKey().lastIndexOf('.');
            if (dot > 0) {
                records.add(read.getKey().substring(0, dot));
            }
        }
        for (String record : records) {
            if (lookup(result.facts(), record) instanceof Map<?, ?> map && !map.isEmpty()) {
                text.append(" [").append(record).append(": ");
                String comma = "";
                for (Map.Entry<?, ?> field : map.entrySet()) {
                    text.append(comma).append(field.getKey()).append('=').append(field.getValue());
                    comma = ", ";
                }
                text.append(']');
            }
        }
        return text.toString();
    }

    /**
     * Said in the decision's one line, so that the log and {@code decisions list} show a decision
     * made on old facts while a source failed: {@code (stale facts: ldap: connection refused)}.
     */
    private static String staleNote(SourceLookups lookups) {
        if (lookups.stale().isEmpty()) {
            return "";
        }
        StringBuilder note = new StringBuilder(" (stale facts: ");
        String separator = "";
        for (String name : lookups.stale()) {
            note.append(separator).append(name);
            lookups.uses().get(name).error().ifPresent(e -> note.append(": ").append(e));
            separator = "; ";
        }
        return note.append(')').toString();
    }

    private static Object lookup(Map<String, Object> facts, String dottedPath) {
        Object current = facts;
        for (String part : dottedPath.split("\\.", -1)) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    private static Optional<String> activeGrant(PolicyResult result) {
        if (result.facts().get(CoreFacts.STORE_VAR) instanceof Map<?, ?> store
                && store.get("grant") instanceof Map<?, ?> grant
                && Boolean.TRUE.equals(grant.get("active"))) {
            return Optional.ofNullable((String) grant.get("id"));
        }
        return Optional.empty();
    }
}
