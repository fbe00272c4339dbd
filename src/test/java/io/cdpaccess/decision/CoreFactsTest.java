package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.FactType;
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
import io.cdpaccess.testing.TestTicker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Every field of every core fact is reachable from a rule and holds what the store and the
 * request say: for each field of {@link CoreFacts#schema()}, a rule comparing it with the value
 * taken from the store records is evaluated through the real {@link Decider} and must match. The
 * expected values are a table keyed by field path that must cover exactly the schema's fields, so
 * a field added to the schema fails here until it is given a value and a test.
 */
class CoreFactsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T17:00:00Z");
    private static final RedcapUrl URL = RedcapUrl.parse("https://redcap.example.edu/");
    private static final InstanceConfig PROD =
            new InstanceConfig("prod", Optional.of(URL), CallerSecret.parse("prod-secret-0123456789-XYZ"), List.of());
    private static final AccessRequest REQUEST = AccessRequest.of("  JDoe ", 42, URL);
    private static final String CALLER_IP = "10.0.0.5";

    /** Revoked, so that every grant field, including the revocation's, is set. */
    private static final Grant GRANT = new Grant(
            "G-7",
            "prod",
            "jdoe",
            OptionalLong.of(42),
            Instant.parse("2026-01-01T05:00:00Z"),
            Optional.of(Instant.parse("2027-07-01T05:00:00Z")),
            Instant.parse("2025-12-20T09:15:00Z"),
            "admin.alice",
            "IRB-2026-0042 \"renewal\" \\ ok",
            Optional.of(Instant.parse("2026-10-01T13:30:00Z")),
            Optional.of("auditor.bob"),
            Optional.of("left the study"));
    /** Someone else's grants on the same project, and this user's on another instance: never seen. */
    private static final List<Grant> OTHER_GRANTS = List.of(
            new Grant(
                    "G-8",
                    "prod",
                    "asmith",
                    OptionalLong.of(42),
                    Instant.parse("2026-01-01T00:00:00Z"),
                    Optional.empty(),
                    Instant.parse("2025-12-01T00:00:00Z"),
                    "admin",
                    "other user",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()),
            new Grant(
                    "G-9",
                    "test",
                    "jdoe",
                    OptionalLong.empty(),
                    Instant.parse("2026-01-01T00:00:00Z"),
                    Optional.empty(),
                    Instant.parse("2025-12-01T00:00:00Z"),
                    "admin",
                    "other instance",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));

    private static final Project PROJECT = new Project(
            "prod",
            42,
            Project.Status.SUSPENDED,
            Optional.of("IRB-2026-0042"),
            Optional.of(Instant.parse("2026-11-01T05:00:00Z")),
            Optional.of("paused"),
            Instant.parse("2026-11-02T08:00:00Z"),
            "admin.carol");
    private static final Block BLOCK = new Block(
            "B-3",
            "jdoe",
            "left the institution — Müller's lab",
            Instant.parse("2026-11-15T10:45:30.123Z"),
            "admin.dave",
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    /** What a rule must see in each field, and whether the field is unset when there is no record. */
    private record Expected(Object value, boolean optional) {}

    private static Expected always(Object value) {
        return new Expected(value, false);
    }

    private static Expected whenRecorded(Object value) {
        return new Expected(value, true);
    }

    /** Field path → the value the store records and the request say it has. */
    private static Map<String, Expected> expectedValues() {
        Map<String, Expected> e = new LinkedHashMap<>();
        e.put("request.user", always("jdoe"));
        e.put("request.user_as_sent", always(REQUEST.user()));
        e.put("request.normalized_user", always("jdoe"));
        e.put("request.project_id", always(REQUEST.projectId()));
        e.put("request.redcap_url", always(URL.value()));
        e.put("request.instance", always(PROD.name()));
        e.put("request.caller_ip", whenRecorded(CALLER_IP));
        e.put("now", always(NOW));
        e.put("store.grant.state", always("revoked"));
        e.put("store.grant.active", always(false));
        e.put("store.grant.id", whenRecorded(GRANT.id()));
        e.put("store.grant.from", whenRecorded(GRANT.validFrom()));
        e.put("store.grant.until", whenRecorded(GRANT.validUntil().orElseThrow()));
        e.put("store.grant.all_projects", whenRecorded(false));
        e.put("store.grant.granted_by", whenRecorded(GRANT.grantedBy()));
        e.put("store.grant.reason", whenRecorded(GRANT.reason()));
        e.put("store.grant.revoked_at", whenRecorded(GRANT.revokedAt().orElseThrow()));
        e.put("store.grant.revoked_by", whenRecorded(GRANT.revokedBy().orElseThrow()));
        e.put("store.grant.revoke_reason", whenRecorded(GRANT.revokeReason().orElseThrow()));
        e.put("store.project.status", always("suspended"));
        e.put("store.project.irb_number", whenRecorded(PROJECT.irbNumber().orElseThrow()));
        e.put("store.project.expires", whenRecorded(PROJECT.expiresAt().orElseThrow()));
        e.put("store.project.expired", always(true));
        e.put("store.block.active", always(true));
        e.put("store.block.id", whenRecorded(BLOCK.id()));
        e.put("store.block.reason", whenRecorded(BLOCK.reason()));
        e.put("store.block.since", whenRecorded(BLOCK.blockedAt()));
        e.put("store.block.blocked_by", whenRecorded(BLOCK.blockedBy()));
        return e;
    }

    @Test
    void theTableCoversExactlyTheSchemasFields() {
        assertThat(expectedValues().keySet())
                .containsExactlyInAnyOrderElementsOf(schemaFields().keySet());
    }

    @Test
    void everyFieldHoldsWhatTheStoreAndTheRequestSay() throws PolicyException {
        StoreSnapshot snapshot = snapshot(true);
        Map<String, Expected> expected = expectedValues();
        for (Map.Entry<String, FactType> field : schemaFields().entrySet()) {
            String path = field.getKey();
            Object value = expected.get(path).value();
            String literal = literal(field.getValue(), value);
            String when = isField(path) ? "has(" + path + ") && " + path + " == " + literal : path + " == " + literal;

            Decision d = decide(when, snapshot, Optional.of(CALLER_IP));

            assertThat(d.effect()).as("%s: %s", when, d.detail()).isEqualTo(Effect.ALLOW);
            assertThat(d.reason()).isEqualTo(ruleName(when));
            // The explanation records the very value the rule compared.
            assertThat(outcome(d).read()).as(when).containsEntry(path, value);
        }
    }

    @Test
    void withoutRecordsOnlyTheOptionalFieldsAreUnset() throws PolicyException {
        StoreSnapshot empty = snapshot(false);
        Map<String, Expected> expected = expectedValues();
        for (String path : schemaFields().keySet()) {
            if (!isField(path)) {
                continue; // a top-level variable such as now is always there; has() applies to fields
            }
            boolean set = !expected.get(path).optional();
            String when = (set ? "has(" : "!has(") + path + ")";

            Decision d = decide(when, empty, Optional.empty());

            assertThat(d.effect()).as("%s: %s", when, d.detail()).isEqualTo(Effect.ALLOW);
        }
    }

    @Test
    void withoutRecordsTheStoreSaysSo() throws PolicyException {
        Decision d = decide(
                "store.grant.state == 'none' && !store.grant.active && store.project.status == 'unknown'"
                        + " && !store.project.expired && !store.block.active",
                snapshot(false),
                Optional.empty());

        assertThat(d.effect()).as(d.detail()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void anActiveGrantForEveryProjectIsDescribedAsSuch() throws PolicyException {
        Grant active = new Grant(
                "G-10",
                "prod",
                "jdoe",
                OptionalLong.empty(),
                Instant.parse("2026-11-01T00:00:00Z"),
                Optional.empty(),
                Instant.parse("2026-10-31T00:00:00Z"),
                "admin.alice",
                "IRB-2026-0050",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        StoreSnapshot snapshot = new StoreSnapshot(2, List.of(GRANT, active), List.of(), List.of());

        Decision d = decide(
                "store.grant.state == 'active' && store.grant.active && store.grant.id == 'G-10'"
                        + " && store.grant.all_projects && !has(store.grant.until) && !has(store.grant.revoked_at)"
                        + " && !has(store.grant.revoked_by) && !has(store.grant.revoke_reason)",
                snapshot,
                Optional.empty());

        assertThat(d.effect()).as(d.detail()).isEqualTo(Effect.ALLOW);
        assertThat(d.grantId()).contains("G-10");
    }

    // ---- helpers ----

    /** Every leaf of the schema, by path: {@code now}, {@code request.user}, {@code store.grant.until}, ... */
    private static Map<String, FactType> schemaFields() {
        Map<String, FactType> out = new LinkedHashMap<>();
        CoreFacts.schema().variables().forEach((name, type) -> collect(name, type, out));
        return out;
    }

    private static void collect(String path, FactType type, Map<String, FactType> out) {
        if (type instanceof FactType.Struct s) {
            s.fields().forEach((name, fieldType) -> collect(path + "." + name, fieldType, out));
        } else {
            out.put(path, type);
        }
    }

    private static boolean isField(String path) {
        return path.contains(".");
    }

    private static String literal(FactType type, Object value) {
        if (type == FactType.Scalar.STRING) {
            return "\"" + ((String) value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (type == FactType.Scalar.TIMESTAMP) {
            return "timestamp(\"" + value + "\")";
        }
        if (type == FactType.Scalar.INT || type == FactType.Scalar.BOOL) {
            return value.toString();
        }
        throw new AssertionError("no literal for a " + type + "; extend this test for the new type");
    }

    private static StoreSnapshot snapshot(boolean withRecords) {
        if (!withRecords) {
            return new StoreSnapshot(1, OTHER_GRANTS, List.of(), List.of());
        }
        List<Grant> grants = new java.util.ArrayList<>(OTHER_GRANTS);
        grants.add(GRANT);
        return new StoreSnapshot(1, grants, List.of(PROJECT), List.of(BLOCK));
    }

    private static String ruleName(String when) {
        return "reads-" + Integer.toHexString(when.hashCode());
    }

    private static Decision decide(String when, StoreSnapshot snapshot, Optional<String> callerIp)
            throws PolicyException {
        CompiledPolicy policy = Policies.compile(new PolicySpec(
                List.of(new RuleSpec(ruleName(when), RuleEffect.ALLOW, when, "", "core-facts-test:1")),
                "core-facts-test"));
        Decider decider = new Decider(() -> policy, () -> snapshot, Clock.fixed(NOW, ZoneOffset.UTC));
        return decider.decide(PROD, REQUEST, callerIp, TestTicker.generous());
    }

    private static RuleOutcome outcome(Decision d) {
        return d.explanation().orElseThrow().outcomes().get(0);
    }
}
