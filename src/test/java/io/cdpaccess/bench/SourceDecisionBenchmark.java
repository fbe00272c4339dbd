package io.cdpaccess.bench;

import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.decision.Rules;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.source.SourceKinds;
import io.cdpaccess.source.SourceMetrics;
import io.cdpaccess.source.SourceRegistry;
import io.cdpaccess.source.ldap.LdapSource;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.TestDirectory;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The decision path with a fact source: {@link DeciderBenchmark}'s 20-rule policy on 10,000
 * grants, plus five rules over an ldap source backed by UnboundID's in-memory directory on
 * loopback. {@code mode}: {@code engine} (the 20 rules alone, the baseline of the same run),
 * {@code cached} (the 25 rules, the directory's answer in the cache), {@code cold} (the 25
 * rules, no cache: every decision looks the user up), and {@code lookup} (the ldap client's
 * lookup alone, what {@code cold} adds at best). Run with {@code bench/sources.sh}; not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SourceDecisionBenchmark {

    static final String LDIF = """
            dn: dc=example,dc=org
            objectClass: dcObject
            objectClass: organization
            dc: example
            o: Example

            dn: ou=people,dc=example,dc=org
            objectClass: organizationalUnit
            ou: people

            dn: ou=groups,dc=example,dc=org
            objectClass: organizationalUnit
            ou: groups

            dn: uid=jdoe,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: jdoe
            cn: Jane Doe
            sn: Doe
            departmentNumber: cardiology
            memberOf: cn=ehr-users,ou=groups,dc=example,dc=org

            dn: cn=ehr-users,ou=groups,dc=example,dc=org
            objectClass: groupOfNames
            cn: ehr-users
            member: uid=jdoe,ou=people,dc=example,dc=org
            """;

    @Param({"engine", "cached", "cold", "lookup"})
    public String mode;

    private TestDirectory directory;
    private SourceRegistry registry;
    private Decider decider;
    private SourceClient client;
    private final AccessRequest request = AccessRequest.of("JDoe", 42, DeciderBenchmark.URL);
    private final Optional<String> callerIp = Optional.of("10.20.30.40");

    static SourceConfig ldap(String url, Duration cacheFound) {
        LdapSettings settings = new LdapSettings(
                List.of(url),
                false,
                Optional.empty(),
                Secret.none(),
                Optional.of(TestDirectory.BIND_DN),
                Secret.of(TestDirectory.BIND_PASSWORD),
                4,
                "ou=people,dc=example,dc=org",
                "(&(objectClass=inetOrgPerson)(uid={user}))",
                Map.of("departmentNumber", "string"),
                LdapSettings.GroupMode.DIRECT,
                Optional.of("ou=groups,dc=example,dc=org"),
                Optional.empty(),
                10);
        return new SourceConfig(
                "ldap",
                "bench:1",
                Duration.ofSeconds(2),
                new SourceConfig.SourceCache(cacheFound, cacheFound, Duration.ZERO, 10_000),
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                settings);
    }

    static List<RuleSpec> sourceRules() {
        String[][] rules = {
            {"not-in-directory", "deny", "!ldap.found"},
            {"account-disabled", "deny", "ldap.found && ldap.disabled"},
            {"not-an-ehr-user", "deny", "!('ehr-users' in ldap.groups)"},
            {
                "outside-departments",
                "deny",
                "has(ldap.attributes.departmentNumber) && ldap.attributes.departmentNumber == 'it'"
            },
            {"ehr-user", "allow", "store.grant.active && 'cn=ehr-users,ou=groups,dc=example,dc=org' in ldap.group_dns"},
        };
        return DeciderBenchmark.rules("bench-sources", rules);
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        directory = TestDirectory.start(LDIF, "dc=example,dc=org");
        registry = new SourceRegistry(
                new SourceKinds(Map.of("ldap", new LdapSource())),
                Clock.fixed(DeciderBenchmark.NOW, ZoneOffset.UTC),
                SourceMetrics.NONE,
                Duration.ZERO);
        StoreSnapshot snapshot = DeciderBenchmark.snapshot(10_000);
        SourceConfig source = ldap(directory.url(), mode.equals("cold") ? Duration.ZERO : Duration.ofDays(7));
        if (mode.equals("lookup")) {
            client = new LdapSource().open(source, Clock.systemUTC());
            return;
        }
        List<RuleSpec> rules = new ArrayList<>(DeciderBenchmark.policy().rules());
        List<SourceConfig> sources = List.of();
        if (!mode.equals("engine")) {
            rules.addAll(sourceRules());
            sources = List.of(source);
        }
        CompiledPolicy policy = Policies.compile(
                new PolicySpec(rules, "bench-policy"), registry.kinds().variables(sources));
        Rules served = new Rules(policy, registry.open(sources));
        decider = Decider.withSources(() -> served, () -> snapshot, Clock.fixed(DeciderBenchmark.NOW, ZoneOffset.UTC));
        Decision d = (Decision) decide();
        if (!d.allowed()) {
            throw new IllegalStateException(
                    "the benchmark's decision is not an allow: " + d.reason() + " " + d.detail());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (client != null) {
            client.close();
        }
        registry.close();
        directory.close();
    }

    @Benchmark
    public Object decide() throws Exception {
        if (client != null) {
            return client.lookup(new SourceKey("jdoe", "jdoe", 42, "main", Optional.empty(), DeciderBenchmark.NOW));
        }
        return decider.decide(
                DeciderBenchmark.PROD, request, callerIp, Deadline.start(Ticker.system(), Duration.ofMinutes(1)));
    }
}
