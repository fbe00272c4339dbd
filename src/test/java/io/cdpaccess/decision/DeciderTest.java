package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.TestTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DeciderTest {

    /** The shipped default policy: these tests show it is the built-in rule of the core service. */
    private static final io.cdpaccess.policy.CompiledPolicy DEFAULT_POLICY = defaultPolicy();

    private static io.cdpaccess.policy.CompiledPolicy defaultPolicy() {
        try {
            return Policies.compile(Policies.defaultSpec());
        } catch (io.cdpaccess.policy.PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-06-30T00:00:00Z");
    private static final Instant MID = Instant.parse("2026-04-15T12:00:00Z");
    private static final Duration MS = Duration.ofMillis(1);

    private static final RedcapUrl PROD_URL = RedcapUrl.parse("https://redcap.example.edu/");
    private static final RedcapUrl TEST_URL = RedcapUrl.parse("https://redcap-test.example.edu/");
    private static final InstanceConfig PROD = new InstanceConfig(
            "prod", Optional.of(PROD_URL), CallerSecret.parse("prod-secret-0123456789-XYZ"), List.of());
    private static final InstanceConfig ANY = new InstanceConfig(
            "default", Optional.empty(), CallerSecret.parse("default-secret-0123456789-XYZ"), List.of());

    private final List<Grant> grants = new ArrayList<>();
    private final List<Project> projects = new ArrayList<>();
    private final List<Block> blocks = new ArrayList<>();

    // ---- building the store ----

    private Grant grant(
            String id,
            String instance,
            String user,
            OptionalLong project,
            Instant from,
            Optional<Instant> until,
            boolean revoked) {
        Grant g = new Grant(
                id,
                instance,
                user,
                project,
                from,
                until,
                FROM.minus(Duration.ofDays(1)),
                "admin",
                "IRB-2026-001",
                revoked ? Optional.of(FROM) : Optional.empty(),
                revoked ? Optional.of("auditor") : Optional.empty(),
                revoked ? Optional.of("left the study") : Optional.empty());
        grants.add(g);
        return g;
    }

    private Grant grant(String id, long project) {
        return grant(id, "prod", "jdoe", OptionalLong.of(project), FROM, Optional.of(UNTIL), false);
    }

    private void project(long id, Project.Status status, Optional<Instant> expiresAt) {
        projects.add(new Project("prod", id, status, Optional.of("IRB-1"), expiresAt, Optional.empty(), FROM, "admin"));
    }

    private void block(String user, boolean lifted) {
        blocks.add(new Block(
                "B1",
                user,
                "left the institution",
                FROM,
                "admin",
                lifted ? Optional.of(MID) : Optional.empty(),
                lifted ? Optional.of("admin") : Optional.empty(),
                lifted ? Optional.of("came back") : Optional.empty()));
    }

    private Decision decideAt(Instant now, InstanceConfig instance, String user, long project, RedcapUrl url) {
        StoreSnapshot snapshot = new StoreSnapshot(1, grants, projects, blocks);
        Decider decider = new Decider(() -> DEFAULT_POLICY, () -> snapshot, Clock.fixed(now, ZoneOffset.UTC));
        return decider.decide(instance, AccessRequest.of(user, project, url), Optional.empty(), TestTicker.generous());
    }

    private Decision decideAt(Instant now) {
        return decideAt(now, PROD, "jdoe", 42, PROD_URL);
    }

    private static void assertAllowedBy(Decision d, String grantId) {
        assertThat(d.effect()).isEqualTo(Effect.ALLOW);
        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).isEqualTo("grant");
        assertThat(d.grantId()).contains(grantId);
    }

    private static void assertDenied(Decision d, String reason) {
        assertThat(d.effect()).isEqualTo(Effect.DENY);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.grantId()).isEmpty();
    }

    // ---- grant windows ----

    @Test
    void validFromIsInclusive() {
        grant("G1", 42);
        assertDenied(decideAt(FROM.minus(MS)), "grant-not-yet-valid");
        assertAllowedBy(decideAt(FROM), "G1");
        assertAllowedBy(decideAt(FROM.plus(MS)), "G1");
    }

    @Test
    void validUntilIsExclusive() {
        grant("G1", 42);
        assertAllowedBy(decideAt(UNTIL.minus(MS)), "G1");
        assertDenied(decideAt(UNTIL), "grant-expired");
        assertDenied(decideAt(UNTIL.plus(MS)), "grant-expired");
    }

    @Test
    void grantWithoutEndNeverExpires() {
        grant("G1", "prod", "jdoe", OptionalLong.of(42), FROM, Optional.empty(), false);
        assertAllowedBy(decideAt(Instant.parse("2999-01-01T00:00:00Z")), "G1");
        assertThat(decideAt(MID).detail()).contains("G1").doesNotContain("until=");
    }

    @Test
    void everyProjectGrantCoversAnyProjectOfItsInstance() {
        grant("G1", "prod", "jdoe", OptionalLong.empty(), FROM, Optional.of(UNTIL), false);
        assertAllowedBy(decideAt(MID, PROD, "jdoe", 42, PROD_URL), "G1");
        assertAllowedBy(decideAt(MID, PROD, "jdoe", 7, PROD_URL), "G1");
        assertAllowedBy(decideAt(MID, PROD, "jdoe", 999_999_999_999L, PROD_URL), "G1");
    }

    @Test
    void projectGrantCoversOnlyItsProject() {
        grant("G1", 42);
        assertDenied(decideAt(MID, PROD, "jdoe", 43, PROD_URL), "no-grant");
    }

    @Test
    void grantIsForOneUserOnOneInstance() {
        grant("G1", 42);
        assertDenied(decideAt(MID, PROD, "asmith", 42, PROD_URL), "no-grant");
        assertDenied(decideAt(MID, ANY, "jdoe", 42, PROD_URL), "no-grant");
    }

    @Test
    void usernameIsMatchedInCanonicalForm() {
        grant("G1", 42);
        assertAllowedBy(decideAt(MID, PROD, "  JDoe ", 42, PROD_URL), "G1");
    }

    @Test
    void noGrantIsADeny() {
        Decision d = decideAt(MID);
        assertDenied(d, "no-grant");
        assertThat(d.detail()).startsWith("no-grant matched: store.grant.state=none");
    }

    @Test
    void revokedGrantDeniesEvenInsideItsWindow() {
        grant("G1", "prod", "jdoe", OptionalLong.of(42), FROM, Optional.of(UNTIL), true);
        Decision d = decideAt(MID);
        assertDenied(d, "grant-revoked");
        assertThat(d.detail()).contains("G1").contains("auditor").contains("left the study");
    }

    @Test
    void endedGrantSaysWhenItEnded() {
        grant("G1", 42);
        Decision d = decideAt(UNTIL.plus(Duration.ofDays(3)));
        assertDenied(d, "grant-expired");
        assertThat(d.detail()).contains("G1").contains(UNTIL.toString());
    }

    @Test
    void futureGrantSaysWhenItStarts() {
        grant("G1", 42);
        Decision d = decideAt(FROM.minus(Duration.ofDays(3)));
        assertDenied(d, "grant-not-yet-valid");
        assertThat(d.detail()).contains("G1").contains(FROM.toString());
    }

    @Test
    void anyActiveGrantAllowsWhateverElseThereIs() {
        grant(
                "OLD",
                "prod",
                "jdoe",
                OptionalLong.of(42),
                FROM.minus(Duration.ofDays(400)),
                Optional.of(FROM.minus(Duration.ofDays(35))),
                false);
        grant("REV", "prod", "jdoe", OptionalLong.of(42), FROM, Optional.of(UNTIL), true);
        grant("NEXT", "prod", "jdoe", OptionalLong.of(42), UNTIL, Optional.empty(), false);
        grant("NOW", "prod", "jdoe", OptionalLong.empty(), FROM, Optional.of(UNTIL), false);
        assertAllowedBy(decideAt(MID), "NOW");
    }

    @Test
    void renewalStartingWhenTheOldGrantEndsLeavesNoGap() {
        grant("OLD", "prod", "jdoe", OptionalLong.of(42), FROM, Optional.of(UNTIL), false);
        grant("NEW", "prod", "jdoe", OptionalLong.of(42), UNTIL, Optional.empty(), false);
        assertAllowedBy(decideAt(UNTIL.minus(MS)), "OLD");
        assertAllowedBy(decideAt(UNTIL), "NEW");
    }

    // ---- what beats a grant ----

    @Test
    void blockBeatsAGrant() {
        grant("G1", 42);
        block("jdoe", false);
        Decision d = decideAt(MID);
        assertDenied(d, "blocked");
        assertThat(d.detail()).contains("B1").contains("left the institution");
        assertDenied(decideAt(MID, PROD, "JDOE", 42, PROD_URL), "blocked");
    }

    @Test
    void liftedBlockNoLongerDenies() {
        grant("G1", 42);
        block("jdoe", true);
        assertAllowedBy(decideAt(MID), "G1");
    }

    @Test
    void blockAppliesOnEveryInstance() {
        grant("G1", "default", "jdoe", OptionalLong.empty(), FROM, Optional.empty(), false);
        block("jdoe", false);
        assertDenied(decideAt(MID, ANY, "jdoe", 42, TEST_URL), "blocked");
    }

    @Test
    void suspendedProjectBeatsAGrant() {
        grant("G1", "prod", "jdoe", OptionalLong.empty(), FROM, Optional.of(UNTIL), false);
        project(42, Project.Status.SUSPENDED, Optional.empty());
        assertDenied(decideAt(MID), "project-suspended");
        assertAllowedBy(decideAt(MID, PROD, "jdoe", 43, PROD_URL), "G1");
    }

    @Test
    void approvedProjectAllowsWithAGrant() {
        grant("G1", 42);
        project(42, Project.Status.APPROVED, Optional.empty());
        assertAllowedBy(decideAt(MID), "G1");
    }

    @Test
    void projectApprovalEndsAtItsExpiry() {
        Instant expiry = Instant.parse("2026-05-01T00:00:00Z");
        grant("G1", 42);
        project(42, Project.Status.APPROVED, Optional.of(expiry));
        assertAllowedBy(decideAt(expiry.minus(MS)), "G1");
        assertDenied(decideAt(expiry), "project-expired");
        assertDenied(decideAt(expiry.plus(MS)), "project-expired");
        assertThat(decideAt(expiry).detail()).contains(expiry.toString());
    }

    @Test
    void projectRecordsAreKeptPerInstance() {
        grant("G1", "default", "jdoe", OptionalLong.empty(), FROM, Optional.empty(), false);
        project(42, Project.Status.SUSPENDED, Optional.empty()); // on prod
        assertAllowedBy(decideAt(MID, ANY, "jdoe", 42, PROD_URL), "G1");
    }

    // ---- instances ----

    @Test
    void instanceBoundToAnotherUrlIsAMismatch() {
        grant("G1", 42);
        Decision d = decideAt(MID, PROD, "jdoe", 42, TEST_URL);
        assertDenied(d, Reason.INSTANCE_MISMATCH.code());
        assertThat(d.detail()).contains(PROD_URL.value());
    }

    @Test
    void starInstanceAnswersAnyUrl() {
        grant("G1", "default", "jdoe", OptionalLong.of(42), FROM, Optional.of(UNTIL), false);
        assertAllowedBy(decideAt(MID, ANY, "jdoe", 42, PROD_URL), "G1");
        assertAllowedBy(decideAt(MID, ANY, "jdoe", 42, TEST_URL), "G1");
        assertAllowedBy(decideAt(MID, ANY, "jdoe", 42, RedcapUrl.parse("http://10.0.0.1:8080/redcap")), "G1");
    }

    // ---- failures are errors, never allows ----

    @Test
    void pastTheDeadlineIsAnErrorEvenForAnAllow() {
        grant("G1", 42);
        StoreSnapshot snapshot = new StoreSnapshot(1, grants, projects, blocks);
        Decider decider = new Decider(() -> DEFAULT_POLICY, () -> snapshot, Clock.fixed(MID, ZoneOffset.UTC));
        AccessRequest request = AccessRequest.of("jdoe", 42, PROD_URL);

        assertAllowedBy(decider.decide(PROD, request, Optional.empty(), TestTicker.generous()), "G1");
        Decision late = decider.decide(PROD, request, Optional.empty(), TestTicker.passed());
        assertThat(late.effect()).isEqualTo(Effect.ERROR);
        assertThat(late.reason()).isEqualTo(Reason.DEADLINE_EXCEEDED.code());
        assertThat(late.allowed()).isFalse();
        assertThat(late.grantId()).isEmpty();
    }

    @Test
    void aFailingStoreIsAnErrorNeverAnAllow() {
        grant("G1", 42);
        Supplier<StoreSnapshot> broken = () -> {
            throw new IllegalStateException("store unavailable");
        };
        Decider decider = new Decider(() -> DEFAULT_POLICY, broken, Clock.fixed(MID, ZoneOffset.UTC));
        Decision d =
                decider.decide(PROD, AccessRequest.of("jdoe", 42, PROD_URL), Optional.empty(), TestTicker.generous());
        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.reason()).isEqualTo(Reason.FACT_ERROR.code());
        assertThat(d.allowed()).isFalse();
        assertThat(d.detail()).contains("blocked").contains("store unavailable");
    }

    @Test
    void aMissingSnapshotIsAnErrorNeverAnAllow() {
        Decider decider = new Decider(() -> DEFAULT_POLICY, () -> null, Clock.fixed(MID, ZoneOffset.UTC));
        Decision d =
                decider.decide(ANY, AccessRequest.of("jdoe", 42, PROD_URL), Optional.empty(), TestTicker.generous());
        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.allowed()).isFalse();
    }

    @Test
    void aMissingPolicyIsAnInternalError() {
        Decider decider = new Decider(
                () -> null,
                () -> new StoreSnapshot(0, List.of(), List.of(), List.of()),
                Clock.fixed(MID, ZoneOffset.UTC));
        Decision d =
                decider.decide(ANY, AccessRequest.of("jdoe", 42, PROD_URL), Optional.empty(), TestTicker.generous());
        assertThat(d.effect()).isEqualTo(Effect.ERROR);
        assertThat(d.reason()).isEqualTo(Reason.INTERNAL_ERROR.code());
    }

    @Test
    void emptyStoreDeniesEveryone() {
        Decider decider = new Decider(
                () -> DEFAULT_POLICY,
                () -> new StoreSnapshot(0, List.of(), List.of(), List.of()),
                Clock.fixed(MID, ZoneOffset.UTC));
        assertDenied(
                decider.decide(ANY, AccessRequest.of("admin", 1, PROD_URL), Optional.empty(), TestTicker.generous()),
                "no-grant");
    }
}
