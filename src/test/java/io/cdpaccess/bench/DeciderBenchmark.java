package io.cdpaccess.bench;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleOutcome;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The decision path with warm facts: {@link Decider#decide} with a 20-rule policy (the shipped
 * default's 8 rules and 12 more over the request, the store and the time) on an in-memory
 * {@link StoreSnapshot} holding {@code grants} grants of as many users, the decided user's among
 * them. Every rule is evaluated on every decision, so this is the whole policy's cost.
 * Run with {@code bench/jmh.sh}; not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class DeciderBenchmark {

    /** A Wednesday afternoon, outside the maintenance window of the policy below. */
    static final Instant NOW = Instant.parse("2026-11-25T15:00:00Z");

    static final RedcapUrl URL = RedcapUrl.parse("https://redcap.example.edu/");
    static final InstanceConfig PROD =
            new InstanceConfig("prod", Optional.of(URL), CallerSecret.parse("prod-secret-0123456789-XYZ"), List.of());

    /** Grants in the store, one user each; the decided user holds one of them. */
    @Param({"1", "10000", "1000000"})
    public int grants;

    private Decider decider;
    private AccessRequest request;
    private final Optional<String> callerIp = Optional.of("10.20.30.40");
    private final Deadline deadline = Deadline.start(Ticker.system(), Duration.ofMinutes(10));

    /** The 12 rules added to the default policy: what sites write beyond grants. */
    static List<RuleSpec> siteRules() {
        String[][] rules = {
            {"wrong-instance-url", "deny", "request.instance == 'prod' && !request.redcap_url.startsWith('https://')"},
            {
                "caller-outside-network",
                "deny",
                "has(request.caller_ip) && !(request.caller_ip.startsWith('10.') || request.caller_ip.startsWith('192.168.'))"
            },
            {
                "service-account",
                "deny",
                "request.normalized_user.endsWith('-svc') || request.normalized_user.startsWith('svc_')"
            },
            {"withdrawn-projects", "deny", "request.project_id in [13, 666, 1313, 4040, 5150]"},
            {
                "irb-number-format",
                "deny",
                "has(store.project.irb_number) && !store.project.irb_number.startsWith('IRB-')"
            },
            {
                "maintenance-window",
                "deny",
                "now >= timestamp('2026-12-24T00:00:00Z') && now < timestamp('2026-12-26T00:00:00Z')"
            },
            {
                "test-instance-weekend",
                "deny",
                "request.instance == 'test' && now.getDayOfWeek('America/Chicago') in [0, 6]"
            },
            {
                "revoked-recently",
                "deny",
                "has(store.grant.revoked_at) && now - store.grant.revoked_at < duration('720h')"
            },
            {"pilot-projects", "allow", "store.grant.active && request.project_id in [42, 101, 102, 103, 250, 777]"},
            {
                "irb-approved",
                "allow",
                "store.grant.active && store.project.status == 'approved'"
                        + " && has(store.project.irb_number) && store.project.irb_number.matches('^IRB-[0-9]{4}-[0-9]{4}$')"
            },
            {
                "trusted-granter",
                "allow",
                "store.grant.active && store.grant.granted_by in ['admin.alice', 'admin.bob', 'irb.office']"
            },
            {
                "grant-window",
                "allow",
                "store.grant.active && store.grant.from <= now"
                        + " && (!has(store.grant.until) || now < store.grant.until)"
            },
        };
        return rules("bench", rules);
    }

    /** Rules from {name, effect, when} triples, their origins {@code origin:1}, {@code origin:2}... */
    static List<RuleSpec> rules(String origin, String[][] rules) {
        List<RuleSpec> out = new ArrayList<>();
        for (String[] r : rules) {
            out.add(new RuleSpec(
                    r[0],
                    RuleEffect.valueOf(r[1].toUpperCase(java.util.Locale.ROOT)),
                    r[2],
                    "",
                    origin + ":" + (out.size() + 1)));
        }
        return out;
    }

    static CompiledPolicy policy() throws PolicyException {
        List<RuleSpec> rules = new ArrayList<>(Policies.defaultSpec().rules());
        rules.addAll(siteRules());
        return Policies.compile(new PolicySpec(rules, "bench-policy"));
    }

    static StoreSnapshot snapshot(int grantCount) {
        Instant from = Instant.parse("2026-01-01T06:00:00Z");
        Instant until = Instant.parse("2027-07-01T05:00:00Z");
        Instant at = Instant.parse("2025-12-20T09:00:00Z");
        List<Grant> grants = new ArrayList<>(grantCount);
        grants.add(new Grant(
                "G-0",
                "prod",
                "jdoe",
                OptionalLong.of(42),
                from,
                Optional.of(until),
                at,
                "admin.alice",
                "IRB-2026-0042",
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
        for (int i = 1; i < grantCount; i++) {
            grants.add(new Grant(
                    "G-" + i,
                    "prod",
                    "user" + i,
                    OptionalLong.of(1 + i % 5000),
                    from,
                    Optional.of(until),
                    at,
                    "admin.bob",
                    "IRB-2026-" + (i % 10000),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));
        }
        List<Project> projects = new ArrayList<>();
        for (int p = 1; p <= 5000; p++) {
            projects.add(new Project(
                    "prod",
                    p,
                    p % 97 == 0 ? Project.Status.SUSPENDED : Project.Status.APPROVED,
                    Optional.of(String.format("IRB-2026-%04d", p % 10000)),
                    Optional.of(until),
                    Optional.empty(),
                    at,
                    "admin"));
        }
        List<Block> blocks = new ArrayList<>();
        for (int b = 1; b < Math.min(grantCount, 1000); b += 7) {
            blocks.add(new Block(
                    "B-" + b, "user" + b, "left", at, "admin", Optional.empty(), Optional.empty(), Optional.empty()));
        }
        return new StoreSnapshot(1, grants, projects, blocks);
    }

    @Setup(Level.Trial)
    public void setUp() throws PolicyException {
        CompiledPolicy policy = policy();
        StoreSnapshot snapshot = snapshot(grants);
        decider = new Decider(() -> policy, () -> snapshot, Clock.fixed(NOW, ZoneOffset.UTC));
        request = AccessRequest.of("JDoe", 42, URL);
        // Measure the intended path: an allow, every rule evaluated cleanly.
        Decision d = decide();
        if (!d.allowed()
                || !d.reason().equals("grant")
                || policy.rules().size() != 20
                || d.explanation().orElseThrow().outcomes().stream()
                        .anyMatch(o -> o.result() == RuleOutcome.Result.ERROR)) {
            throw new IllegalStateException("the benchmark's decision is not a clean allow: " + d.reason() + " "
                    + d.detail() + " " + d.explanation());
        }
    }

    @Benchmark
    public Decision decide() {
        return decider.decide(PROD, request, callerIp, deadline);
    }
}
