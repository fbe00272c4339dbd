package io.cdpaccess.report;

import io.cdpaccess.audit.ChangeQuery;
import io.cdpaccess.audit.ChangeRecord;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.FactValues;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.policy.SourceUse;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The access review a security officer signs: every active grant with who granted it, when, why,
 * until when and when it was last used, flagged where it needs a decision — expiring soon, unused
 * for long, its user blocked, or the current policy would deny it now.
 *
 * <p>"Would deny now" is the decider's own answer for the grant's user, instance and project at
 * the review's time, with the configured fact sources asked live as {@code check} asks them, and
 * nothing recorded. An every-project grant is evaluated on the projects its user was allowed on
 * in the last {@value #RECENT_PROJECT_DAYS} days (with {@code --project-id}, on that project). An
 * answer that rests on a source that failed is never shown as fine: it is "could not evaluate".
 *
 * <p>"Last used" is the latest allow whose decision record names the grant (a decision records the
 * active grant the policy read). An allow later corrected to a 503 does not count, nor one by a
 * policy that allowed without reading the store.
 *
 * <p>The review's inputs are summed up in a {@link ReviewSnapshot}, so that a signed review can be
 * produced again and compared.
 */
public final class AccessReview {

    /** How far back an every-project grant's projects are taken from the decisions. */
    public static final int RECENT_PROJECT_DAYS = 90;

    /**
     * What to review.
     *
     * @param instance only this instance's grants; empty for all
     * @param projectId only grants covering this project (every-project grants included)
     * @param expiringWithin a grant ending before the review time plus this is "expiring soon"
     * @param unusedFor a grant not used (nor granted) within this before the review time is "unused"
     * @param asOf the review time: grants active then, decisions before it, the policy's {@code now}
     */
    public record Scope(
            Optional<String> instance,
            OptionalLong projectId,
            Duration expiringWithin,
            Duration unusedFor,
            Instant asOf) {}

    /**
     * What the review reads.
     *
     * @param rules the configured policy with its fact sources open
     * @param store the store as it is now (its version goes into the snapshot)
     */
    public record Inputs(
            ServiceConfig config, Rules rules, StoreSnapshot store, DecisionQuery decisions, ChangeQuery changes) {}

    /** What the current policy says about a grant. */
    public enum Status {
        /** Allowed on every project evaluated, every source answering. */
        ALLOWED("no"),
        /** Denied on at least one project evaluated. */
        WOULD_DENY("yes"),
        /** A source (or the evaluation) failed: not known to be fine. */
        UNKNOWN("unknown"),
        /** An every-project grant with no project to evaluate it on. */
        NOT_EVALUATED("not evaluated");

        private final String shown;

        Status(String shown) {
            this.shown = shown;
        }

        /** As the {@code would_deny} column shows it. */
        public String shown() {
            return shown;
        }
    }

    /**
     * The policy's answer for a grant.
     *
     * @param projects the projects it was evaluated on
     * @param reasons the deny rules that matched (or the deciding reason code), in order
     * @param text one line for people: "allowed", "would deny: ...", "could not evaluate: ..."
     */
    public record Verdict(Status status, List<Long> projects, List<String> reasons, String text) {}

    /**
     * One grant as reviewed.
     *
     * @param added its {@code grant.add} change record (who ran it, as the system knows them), if kept
     * @param lastUsed the latest allow naming it, before the review time
     * @param block the user's active block
     */
    public record Row(
            Grant grant,
            Optional<ChangeRecord> added,
            Optional<Instant> lastUsed,
            boolean expiringSoon,
            boolean unused,
            Optional<Block> block,
            Verdict verdict) {}

    private final Scope scope;
    private final Instant generatedAt;
    private final List<Row> rows;
    private final ReviewSnapshot snapshot;
    private final String policySource;

    private AccessReview(
            Scope scope, Instant generatedAt, List<Row> rows, ReviewSnapshot snapshot, String policySource) {
        this.scope = scope;
        this.generatedAt = generatedAt;
        this.rows = List.copyOf(rows);
        this.snapshot = snapshot;
        this.policySource = policySource;
    }

    /** Reviews the grants in {@code scope}; {@code generatedAt} is when (the clock's now, not the scope's time). */
    public static AccessReview run(Inputs in, Scope scope, Instant generatedAt) throws SQLException {
        return new Run(in, scope).review(generatedAt);
    }

    public Scope scope() {
        return scope;
    }

    public Instant generatedAt() {
        return generatedAt;
    }

    /** The grants reviewed, by instance, user, project and grant id. */
    public List<Row> rows() {
        return rows;
    }

    public ReviewSnapshot snapshot() {
        return snapshot;
    }

    /** The policy's origin (file or the default policy), for the page's header. */
    String policySource() {
        return policySource;
    }

    /** One review's work: the caches it keeps while it walks the grants. */
    private static final class Run {
        private final Inputs in;
        private final Scope scope;
        private final Decider decider;
        private final Map<String, List<DecisionQuery.LastAllow>> allows = new HashMap<>();
        private final Map<String, Optional<RedcapUrl>> urls = new HashMap<>();
        /** Each (instance, user, project) evaluated once, in a stable order for the snapshot. */
        private final Map<String, Evaluation> evaluations = new TreeMap<>();

        Run(Inputs in, Scope scope) {
            this.in = in;
            this.scope = scope;
            // One time for the whole review: the policy's now, the grants' states, the sources' caches.
            Clock at = Clock.fixed(scope.asOf(), ZoneOffset.UTC);
            this.decider = Decider.withSources(in::rules, in::store, at);
        }

        AccessReview review(Instant generatedAt) throws SQLException {
            Map<String, ChangeRecord> added = new HashMap<>();
            in.changes()
                    .forEach(
                            new ChangeQuery.Filter(
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.of("grant.add"),
                                    Optional.empty(),
                                    Optional.empty()),
                            c -> added.putIfAbsent(firstWord(c.subject()), c));
            List<Grant> grants = in.store().grants().stream()
                    .filter(g -> g.activeAt(scope.asOf()))
                    .filter(g -> scope.instance().map(g.instance()::equals).orElse(true))
                    .filter(g -> scope.projectId().isEmpty()
                            || g.covers(scope.projectId().getAsLong()))
                    .sorted(Comparator.comparing(Grant::instance)
                            .thenComparing(Grant::user)
                            .thenComparing(g -> g.projectId().orElse(0))
                            .thenComparing(Grant::id))
                    .toList();
            List<Row> rows = new ArrayList<>();
            for (Grant g : grants) {
                rows.add(row(g, Optional.ofNullable(added.get(g.id()))));
            }
            String policySha256 = PolicyCompiler.sha256(in.config().policy().orElseGet(Policies::defaultSpec));
            List<Object> facts = new ArrayList<>();
            evaluations.values().forEach(e -> facts.add(e.facts()));
            ReviewSnapshot snapshot =
                    ReviewSnapshot.of(scope, in.store().version(), policySha256, ReviewSnapshot.factsSha256(facts));
            String origin = in.rules().policy().origin();
            return new AccessReview(scope, generatedAt, rows, snapshot, origin);
        }

        private Row row(Grant g, Optional<ChangeRecord> added) throws SQLException {
            List<DecisionQuery.LastAllow> userAllows = allows(g.instance(), g.user());
            Optional<Instant> lastUsed = userAllows.stream()
                    .filter(a -> a.grantId().equals(Optional.of(g.id())))
                    .map(DecisionQuery.LastAllow::at)
                    .max(Comparator.naturalOrder());
            Instant asOf = scope.asOf();
            boolean expiring = g.validUntil()
                    .map(u -> u.isBefore(asOf.plus(scope.expiringWithin())))
                    .orElse(false);
            // Never used: counted from when the grant existed and was in force, whichever is later.
            Instant since = g.grantedAt().isAfter(g.validFrom()) ? g.grantedAt() : g.validFrom();
            boolean unused = lastUsed.orElse(since).isBefore(asOf.minus(scope.unusedFor()));
            return new Row(g, added, lastUsed, expiring, unused, in.store().block(g.user()), verdict(g, userAllows));
        }

        private Verdict verdict(Grant g, List<DecisionQuery.LastAllow> userAllows) throws SQLException {
            List<Long> projects = projects(g, userAllows);
            if (projects.isEmpty()) {
                return new Verdict(
                        Status.NOT_EVALUATED,
                        List.of(),
                        List.of(),
                        "not evaluated: every-project grant, no project allowed in the last " + RECENT_PROJECT_DAYS
                                + " days");
            }
            Optional<InstanceConfig> instance = in.config().instance(g.instance());
            if (instance.isEmpty()) {
                return new Verdict(
                        Status.UNKNOWN,
                        projects,
                        List.of(),
                        "could not evaluate: instance " + g.instance() + " is not in the configuration");
            }
            Set<String> reasons = new LinkedHashSet<>();
            List<String> denied = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (long project : projects) {
                Evaluation e = evaluation(instance.get(), g.user(), project);
                String on = projects.size() > 1 ? "project " + project + ": " : "";
                switch (e.status()) {
                    case WOULD_DENY -> {
                        reasons.addAll(e.reasons());
                        denied.add(on + e.text());
                    }
                    case UNKNOWN -> unknown.add(on + e.text());
                    default -> {}
                }
            }
            List<String> said = new ArrayList<>(denied);
            said.addAll(unknown);
            Status status =
                    !denied.isEmpty() ? Status.WOULD_DENY : !unknown.isEmpty() ? Status.UNKNOWN : Status.ALLOWED;
            String text = said.isEmpty()
                    ? "allowed" + (projects.size() > 1 ? " on projects " + joined(projects) : "")
                    : String.join("; ", said);
            return new Verdict(status, projects, List.copyOf(reasons), text);
        }

        /** The grant's project; for an every-project grant the one asked for, else those recently allowed. */
        private List<Long> projects(Grant g, List<DecisionQuery.LastAllow> userAllows) {
            if (g.projectId().isPresent()) {
                return List.of(g.projectId().getAsLong());
            }
            if (scope.projectId().isPresent()) {
                return List.of(scope.projectId().getAsLong());
            }
            Instant recent = scope.asOf().minus(Duration.ofDays(RECENT_PROJECT_DAYS));
            Set<Long> projects = new TreeSet<>();
            for (DecisionQuery.LastAllow a : userAllows) {
                if (!a.at().isBefore(recent)) {
                    parseProject(a.projectId()).ifPresent(projects::add);
                }
            }
            return List.copyOf(projects);
        }

        private Evaluation evaluation(InstanceConfig instance, String user, long project) throws SQLException {
            String key = instance.name()
                    + '\u0000'
                    + user
                    + '\u0000'
                    + String.format(java.util.Locale.ROOT, "%019d", project);
            Evaluation known = evaluations.get(key);
            if (known != null) {
                return known;
            }
            Evaluation e = evaluate(instance, user, project);
            evaluations.put(key, e);
            return e;
        }

        private Evaluation evaluate(InstanceConfig instance, String user, long project) throws SQLException {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("instance", instance.name());
            facts.put("user", user);
            facts.put("project", project);
            Optional<RedcapUrl> url = url(instance);
            if (url.isEmpty()) {
                facts.put("outcome", "no-redcap-url");
                return new Evaluation(
                        Status.UNKNOWN,
                        List.of(),
                        "could not evaluate: instance " + instance.name() + " has redcap_url \"*\" and "
                                + "no call from it is recorded",
                        facts);
            }
            Decision d = decider.decide(
                    instance,
                    AccessRequest.of(user, project, url.get()),
                    Optional.empty(),
                    Deadline.start(Ticker.system(), in.config().deadline()));
            Map<String, String> failed = new LinkedHashMap<>();
            Map<String, Object> sources = new TreeMap<>();
            for (Map.Entry<String, SourceUse> use : d.sources().entrySet()) {
                sources.put(use.getKey(), use.getValue().outcome());
                use.getValue().error().ifPresent(e -> failed.put(use.getKey(), e));
            }
            facts.put("effect", d.effect().label());
            facts.put("reason", d.reason());
            facts.put("sources", sources);
            facts.put(
                    "facts",
                    d.explanation().map(r -> FactValues.toJson(r.facts())).orElse(null));
            String down = failed.entrySet().stream()
                    .map(f -> f.getKey() + " unavailable (" + f.getValue() + ")")
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("");
            if (d.effect() == Effect.DENY) {
                List<String> reasons = d.explanation()
                        .map(r -> r.outcomes().stream()
                                .filter(o -> o.effect() == RuleEffect.DENY && o.result() == RuleOutcome.Result.MATCHED)
                                .map(RuleOutcome::rule)
                                .toList())
                        .filter(l -> !l.isEmpty())
                        .orElse(List.of(d.reason()));
                return new Evaluation(
                        Status.WOULD_DENY,
                        reasons,
                        "would deny: " + String.join(", ", reasons) + (down.isEmpty() ? "" : "; also " + down),
                        facts);
            }
            if (d.effect() == Effect.ALLOW && failed.isEmpty()) {
                return new Evaluation(Status.ALLOWED, List.of(), "allowed", facts);
            }
            return new Evaluation(
                    Status.UNKNOWN,
                    List.of(),
                    "could not evaluate: " + (down.isEmpty() ? d.reason() + " (" + d.detail() + ")" : down),
                    facts);
        }

        private List<DecisionQuery.LastAllow> allows(String instance, String user) throws SQLException {
            String key = instance + '\u0000' + user;
            List<DecisionQuery.LastAllow> known = allows.get(key);
            if (known == null) {
                known = in.decisions().lastAllows(instance, user, scope.asOf());
                allows.put(key, known);
            }
            return known;
        }

        /**
         * The URL the instance is asked with: its configured one, else the latest one recorded from it
         * (an instance with {@code redcap_url: "*"} answers for any).
         */
        private Optional<RedcapUrl> url(InstanceConfig instance) throws SQLException {
            if (instance.redcapUrl().isPresent()) {
                return instance.redcapUrl();
            }
            Optional<RedcapUrl> known = urls.get(instance.name());
            if (known == null) {
                known = in.decisions()
                        .latestRedcapUrl(instance.name(), scope.asOf())
                        .flatMap(Run::parseUrl);
                urls.put(instance.name(), known);
            }
            return known;
        }

        private static Optional<RedcapUrl> parseUrl(String recorded) {
            try {
                return Optional.of(RedcapUrl.parse(recorded));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    /** One evaluation and what went into it (for the snapshot). */
    private record Evaluation(Status status, List<String> reasons, String text, Map<String, Object> facts) {}

    private static Optional<Long> parseProject(String recorded) {
        try {
            long p = Long.parseLong(recorded);
            return p > 0 ? Optional.of(p) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String firstWord(String subject) {
        int space = subject.indexOf(' ');
        return space < 0 ? subject : subject.substring(0, space);
    }

    static String joined(List<Long> projects) {
        return String.join(", ", projects.stream().map(String::valueOf).toList());
    }
}
