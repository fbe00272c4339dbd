package io.cdpaccess.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.db.Database;
import io.cdpaccess.db.StoreException;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an administrator relies on from the store, on each database the service supports: the
 * same migration and the same JDBC code must behave identically on SQLite, PostgreSQL and MariaDB.
 *
 * <p>Each database is shared by the tests of one run of this class; every test works in its own
 * REDCap instance and with its own actor and block users, so tests do not see each other's rows.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Kind.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreContractTest {

    private static final AtomicInteger TEST_NUMBER = new AtomicInteger();
    private static final Instant START = Instant.parse("2026-03-02T08:30:00.123Z");

    @Parameter
    Kind kind;

    private Database database;
    private TestClock clock;
    private Store store;
    /** Unique per test: the instance its grants and projects live in, and the actor it writes as. */
    private String instance;

    private String admin;

    @BeforeParameterizedClassInvocation
    void openDatabase() {
        database = TestDatabases.create(kind).open("store-contract-" + kind);
    }

    @AfterParameterizedClassInvocation
    void closeDatabase() {
        database.close();
    }

    @BeforeEach
    void newStore() {
        int n = TEST_NUMBER.incrementAndGet();
        instance = "redcap-" + n;
        admin = "admin-" + n + "@example.edu";
        clock = new TestClock(START);
        store = new Store(database, clock);
    }

    // ---- grants ----

    @Test
    void addedGrantIsInTheNextSnapshotExactlyAsReturned() {
        Grant added = store.addGrant(
                grant("alice", OptionalLong.of(12), START, Optional.of(START.plus(Duration.ofDays(30)))));

        assertThat(store.snapshot().grants(instance, "alice")).containsExactly(added);
        assertThat(added.instance()).isEqualTo(instance);
        assertThat(added.projectId()).hasValue(12);
        assertThat(added.validUntil()).contains(START.plus(Duration.ofDays(30)));
        assertThat(added.grantedAt()).isEqualTo(START);
        assertThat(added.grantedBy()).isEqualTo(admin);
        assertThat(added.revoked()).isFalse();
        assertThat(added.activeAt(START)).isTrue();
        assertThat(store.listGrants(onInstance())).containsExactly(added);
    }

    @Test
    void everyProjectGrantIsStoredWithoutProjectOrEndAndCoversAnyProject() {
        Grant everyProject = store.addGrant(grant("bob", OptionalLong.empty(), START, Optional.empty()));
        Grant oneProject = store.addGrant(grant("carol", OptionalLong.of(7), START, Optional.empty()));

        StoreSnapshot snapshot = store.snapshot();
        Grant read = snapshot.grants(instance, "bob").get(0);
        assertThat(read).isEqualTo(everyProject);
        assertThat(read.projectId()).isEmpty();
        assertThat(read.validUntil()).isEmpty();
        assertThat(read.projectLabel()).isEqualTo("*");
        assertThat(read.covers(1)).isTrue();
        assertThat(read.covers(987_654_321_012L)).isTrue();
        Grant carols = snapshot.grants(instance, "carol").get(0);
        assertThat(carols).isEqualTo(oneProject);
        assertThat(carols.covers(7)).isTrue();
        assertThat(carols.covers(8)).isFalse();
    }

    @Test
    void usernamesAreKeptAsGivenAndFoundByTheirNormalizedForm() {
        // The CLI normalizes before calling the store; the store itself trusts its caller.
        Grant asTyped = store.addGrant(grant("Dave@Example.EDU", OptionalLong.of(3), START, Optional.empty()));
        Grant normalized = store.addGrant(
                grant(Username.normalize("  Erin@Example.EDU "), OptionalLong.of(3), START, Optional.empty()));

        StoreSnapshot snapshot = store.snapshot();
        assertThat(snapshot.grants(instance, "Dave@Example.EDU")).containsExactly(asTyped);
        assertThat(snapshot.grants(instance, "dave@example.edu")).isEmpty();
        assertThat(snapshot.grants(instance, Username.normalize("ERIN@example.edu")))
                .containsExactly(normalized);
        // SQL comparisons must be exact too (on MariaDB this needs a _bin collation).
        assertThat(store.listGrants(forUser("dave@example.edu"))).isEmpty();
        assertThat(store.listGrants(forUser("Dave@Example.EDU"))).containsExactly(asTyped);
        assertThat(store.revokeGrants(GrantSelector.forProject(instance, "DAVE@EXAMPLE.EDU", 3), admin, "wrong case"))
                .isEmpty();
    }

    @Test
    void unicodeTextRoundTripsUnchanged() {
        List<String> names = List.of("müller", "张伟", "o'brien-ñúñez", "😀 smiley", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "mu\u0308ller");
        List<Grant> added = new ArrayList<>();
        for (String name : names) {
            added.add(store.addGrant(new NewGrant(
                    instance,
                    name,
                    OptionalLong.of(1),
                    START,
                    Optional.empty(),
                    "Zoë Ångström",
                    "IRB 2026-ä🧪 « approved »")));
        }
        StoreSnapshot snapshot = store.snapshot();
        for (int i = 0; i < names.size(); i++) {
            // "müller" composed and decomposed are different strings and must stay two users.
            assertThat(snapshot.grants(instance, names.get(i))).containsExactly(added.get(i));
            assertThat(store.listGrants(forUser(names.get(i)))).containsExactly(added.get(i));
        }
        assertThat(added.get(3).user()).isEqualTo("😀 smiley");

        Project project = store.setProject(
                instance,
                1,
                Project.Status.APPROVED,
                Optional.of("IRB-李-😀"),
                Optional.empty(),
                Optional.of("Studie über Ärzte"),
                "Zoë");
        assertThat(store.listProjects(Optional.of(instance))).containsExactly(project);

        String blocked = "𝓫𝓵𝓸𝓬𝓴-" + instance;
        Block block = store.addBlock(blocked, "pläne 🚫", "Zoë").block();
        assertThat(store.snapshot().block(blocked)).contains(block);
    }

    // ---- extension ----

    @Test
    void extendingMovesTheEndOfCurrentGrantsOnlyAndDecisionsSeeIt() {
        Instant end = START.plus(Duration.ofDays(10));
        Instant later = START.plus(Duration.ofDays(100));
        Grant current = store.addGrant(grant("kim", OptionalLong.of(7), START, Optional.of(end)));
        Grant noEnd = store.addGrant(grant("kim", OptionalLong.of(7), START, Optional.empty()));
        Grant endsLater = store.addGrant(grant("kim", OptionalLong.of(7), START, Optional.of(later.plusSeconds(1))));
        Grant otherProject = store.addGrant(grant("kim", OptionalLong.of(8), START, Optional.of(end)));
        Grant ended = store.addGrant(grant("lee", OptionalLong.of(7), START, Optional.of(START.plusSeconds(60))));
        Grant revoked = store.addGrant(grant("may", OptionalLong.of(7), START, Optional.of(end)));
        store.revokeGrants(GrantSelector.byId(revoked.id()), admin, "left");
        clock.advance(Duration.ofHours(1));

        List<Grant> extended =
                store.extendGrants(GrantSelector.forProject(instance, "kim", 7), later, admin, "IRB renewed");

        assertThat(extended).extracting(Grant::id).containsExactly(current.id());
        assertThat(extended.get(0).validUntil()).contains(later);
        assertThat(store.snapshot().grants(instance, "kim"))
                .contains(current.extendedTo(later), noEnd, endsLater, otherProject);
        assertThat(store.extendGrants(GrantSelector.byId(ended.id()), later, admin, "too late"))
                .as("an ended grant is given again, not extended")
                .isEmpty();
        assertThat(store.extendGrants(GrantSelector.byId(revoked.id()), later, admin, "revoked"))
                .isEmpty();
        assertThat(store.snapshot().grants(instance, "lee")).containsExactly(ended);
    }

    // ---- revocation ----

    @Test
    void revokingByIdKeepsTheGrantWithWhoAndWhy() {
        Grant g = store.addGrant(grant("frank", OptionalLong.of(5), START, Optional.empty()));
        Instant revokedAt = clock.advance(Duration.ofHours(2));

        List<Grant> revoked = store.revokeGrants(GrantSelector.byId(g.id()), "security-officer", "left the study");

        assertThat(revoked).hasSize(1);
        Grant kept = store.listGrants(onInstance()).get(0);
        assertThat(revoked.get(0)).isEqualTo(kept);
        assertThat(kept.id()).isEqualTo(g.id());
        assertThat(kept.reason()).isEqualTo(g.reason());
        assertThat(kept.revokedAt()).contains(revokedAt);
        assertThat(kept.revokedBy()).contains("security-officer");
        assertThat(kept.revokeReason()).contains("left the study");
        assertThat(kept.activeAt(revokedAt)).isFalse();
        // Decisions see the revocation; the record of the grant stays.
        assertThat(store.snapshot().grants(instance, "frank")).containsExactly(kept);
        assertThat(store.listGrants(activeOnInstance())).isEmpty();
    }

    @Test
    void revokingForAProjectTouchesOnlyThatUsersGrantsForThatProject() {
        Grant target1 = store.addGrant(grant("gina", OptionalLong.of(40), START, Optional.empty()));
        Grant target2 =
                store.addGrant(grant("gina", OptionalLong.of(40), START.plus(Duration.ofDays(1)), Optional.empty()));
        Grant otherProject = store.addGrant(grant("gina", OptionalLong.of(41), START, Optional.empty()));
        Grant everyProject = store.addGrant(grant("gina", OptionalLong.empty(), START, Optional.empty()));
        Grant otherUser = store.addGrant(grant("hank", OptionalLong.of(40), START, Optional.empty()));
        String otherInstance = instance + "-test";
        Grant elsewhere = store.addGrant(new NewGrant(
                otherInstance, "gina", OptionalLong.of(40), START, Optional.empty(), admin, "other instance"));

        List<Grant> revoked = store.revokeGrants(GrantSelector.forProject(instance, "gina", 40), admin, "IRB closed");

        assertThat(revoked).extracting(Grant::id).containsExactlyInAnyOrder(target1.id(), target2.id());
        assertThat(store.listGrants(activeOnInstance()))
                .extracting(Grant::id)
                .containsExactlyInAnyOrder(otherProject.id(), everyProject.id(), otherUser.id());
        assertThat(store.snapshot().grants(otherInstance, "gina")).containsExactly(elsewhere);
    }

    @Test
    void revokingAllProjectsTouchesOnlyEveryProjectGrants() {
        Grant everyProject = store.addGrant(grant("ivan", OptionalLong.empty(), START, Optional.empty()));
        Grant oneProject = store.addGrant(grant("ivan", OptionalLong.of(9), START, Optional.empty()));

        List<Grant> revoked = store.revokeGrants(GrantSelector.allProjects(instance, "ivan"), admin, "role changed");

        assertThat(revoked).extracting(Grant::id).containsExactly(everyProject.id());
        assertThat(store.listGrants(activeOnInstance())).containsExactly(oneProject);
    }

    @Test
    void revokingLeavesEndedAndAlreadyRevokedGrantsAsTheyWereButStopsFutureOnes() {
        Grant ended =
                store.addGrant(grant("jane", OptionalLong.of(2), START, Optional.of(START.plus(Duration.ofDays(1)))));
        Grant future =
                store.addGrant(grant("jane", OptionalLong.of(2), START.plus(Duration.ofDays(10)), Optional.empty()));
        Grant current = store.addGrant(grant("jane", OptionalLong.of(2), START, Optional.empty()));
        clock.advance(Duration.ofDays(1)); // `ended` ends exactly now: its end is exclusive
        Grant firstRevocation = store.revokeGrants(GrantSelector.byId(current.id()), "first-officer", "first")
                .get(0);
        clock.advance(Duration.ofHours(1));

        assertThat(store.revokeGrants(GrantSelector.byId(ended.id()), admin, "again"))
                .isEmpty();
        assertThat(store.revokeGrants(GrantSelector.byId(current.id()), admin, "again"))
                .isEmpty();
        List<Grant> revoked = store.revokeGrants(GrantSelector.forProject(instance, "jane", 2), admin, "study over");

        assertThat(revoked).extracting(Grant::id).containsExactly(future.id());
        List<Grant> all = store.listGrants(onInstance());
        assertThat(all).filteredOn(g -> g.id().equals(ended.id())).containsExactly(ended);
        assertThat(all).filteredOn(g -> g.id().equals(current.id())).containsExactly(firstRevocation);
        assertThat(firstRevocation.revokedBy()).contains("first-officer");
    }

    // ---- listing ----

    @Test
    void listingFiltersByInstanceUserAndProjectNewestFirst() {
        Grant kim7 = store.addGrant(grant("kim", OptionalLong.of(7), START, Optional.empty()));
        clock.advance(Duration.ofMinutes(1));
        Grant kimAll = store.addGrant(grant("kim", OptionalLong.empty(), START, Optional.empty()));
        clock.advance(Duration.ofMinutes(1));
        Grant kim8 = store.addGrant(grant("kim", OptionalLong.of(8), START, Optional.empty()));
        clock.advance(Duration.ofMinutes(1));
        Grant lee7 = store.addGrant(grant("lee", OptionalLong.of(7), START, Optional.empty()));
        String otherInstance = instance + "-test";
        Grant elsewhere = store.addGrant(new NewGrant(
                otherInstance, "kim", OptionalLong.of(7), START, Optional.empty(), admin, "other instance"));

        assertThat(store.listGrants(onInstance())).containsExactly(lee7, kim8, kimAll, kim7);
        assertThat(store.listGrants(forUser("kim"))).containsExactly(kim8, kimAll, kim7);
        assertThat(store.listGrants(new GrantFilter(Optional.of(instance), Optional.empty(), OptionalLong.of(7), true)))
                .containsExactly(lee7, kimAll, kim7);
        assertThat(store.listGrants(
                        new GrantFilter(Optional.of(instance), Optional.of("kim"), OptionalLong.of(99), true)))
                .containsExactly(kimAll);
        assertThat(store.listGrants(new GrantFilter(Optional.empty(), Optional.of("kim"), OptionalLong.of(7), true)))
                .contains(kim7, kimAll, elsewhere)
                .doesNotContain(lee7, kim8);
    }

    @Test
    void listingShowsCurrentAndFutureGrantsUnlessInactiveOnesAreAskedFor() {
        Grant ended = store.addGrant(grant(
                "mia",
                OptionalLong.of(1),
                START.minus(Duration.ofDays(9)),
                Optional.of(START.minus(Duration.ofDays(1)))));
        Grant revoked = store.addGrant(grant("mia", OptionalLong.of(2), START, Optional.empty()));
        revoked = store.revokeGrants(GrantSelector.byId(revoked.id()), admin, "no")
                .get(0);
        Grant current =
                store.addGrant(grant("mia", OptionalLong.of(3), START, Optional.of(START.plus(Duration.ofDays(1)))));
        Grant future =
                store.addGrant(grant("mia", OptionalLong.of(4), START.plus(Duration.ofDays(5)), Optional.empty()));

        assertThat(store.listGrants(activeOnInstance())).containsExactlyInAnyOrder(current, future);
        assertThat(store.listGrants(onInstance())).containsExactlyInAnyOrder(ended, revoked, current, future);
    }

    // ---- projects ----

    @Test
    void suspendingAProjectKeepsItsIrbNumberAndExpiry() {
        Instant expiry = START.plus(Duration.ofDays(365));
        Project approved = store.setProject(
                instance,
                1234,
                Project.Status.APPROVED,
                Optional.of("IRB-2026-0042"),
                Optional.of(expiry),
                Optional.of("oncology registry"),
                "approver");
        assertThat(store.snapshot().project(instance, 1234)).contains(approved);
        clock.advance(Duration.ofDays(3));

        Project suspended = store.setProject(
                instance,
                1234,
                Project.Status.SUSPENDED,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "suspender");

        assertThat(suspended.status()).isEqualTo(Project.Status.SUSPENDED);
        assertThat(suspended.irbNumber()).contains("IRB-2026-0042");
        assertThat(suspended.expiresAt()).contains(expiry);
        assertThat(suspended.note()).contains("oncology registry");
        assertThat(suspended.updatedBy()).isEqualTo("suspender");
        assertThat(suspended.updatedAt()).isEqualTo(clock.instant());
        assertThat(store.snapshot().project(instance, 1234)).contains(suspended);
        assertThat(store.listProjects(Optional.of(instance))).containsExactly(suspended);

        Project renewed = store.setProject(
                instance,
                1234,
                Project.Status.APPROVED,
                Optional.of("IRB-2027-0001"),
                Optional.empty(),
                Optional.empty(),
                "approver");
        assertThat(renewed.irbNumber()).contains("IRB-2027-0001");
        assertThat(renewed.expiresAt()).contains(expiry);
        assertThat(store.snapshot().project(instance, 1234)).contains(renewed);
    }

    @Test
    void projectsAreListedByInstanceInIdOrder() {
        Project p30 = store.setProject(
                instance, 30, Project.Status.APPROVED, Optional.empty(), Optional.empty(), Optional.empty(), admin);
        Project p4 = store.setProject(
                instance, 4, Project.Status.SUSPENDED, Optional.empty(), Optional.empty(), Optional.empty(), admin);
        store.setProject(
                instance + "-test",
                4,
                Project.Status.APPROVED,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                admin);

        assertThat(store.listProjects(Optional.of(instance))).containsExactly(p4, p30);
        assertThat(p4.irbNumber()).isEmpty();
        assertThat(p4.expiresAt()).isEmpty();
        assertThat(store.snapshot().project(instance, 5)).isEmpty();
    }

    // ---- blocks ----

    @Test
    void blockingTwiceKeepsTheFirstBlock() {
        String user = "nina-" + instance;
        Store.BlockOutcome first = store.addBlock(user, "compromised account", "officer-1");
        clock.advance(Duration.ofMinutes(5));
        Store.BlockOutcome second = store.addBlock(user, "another reason", "officer-2");

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.block()).isEqualTo(first.block());
        assertThat(first.block().reason()).isEqualTo("compromised account");
        assertThat(first.block().blockedAt()).isEqualTo(START);
        assertThat(store.snapshot().block(user)).contains(first.block());
        assertThat(store.listBlocks(false))
                .filteredOn(b -> b.user().equals(user))
                .containsExactly(first.block());
    }

    @Test
    void liftingABlockKeepsItsRecordAndAllowsANewOne() {
        String user = "omar-" + instance;
        Block block = store.addBlock(user, "investigation", "officer-1").block();
        Instant liftedAt = clock.advance(Duration.ofDays(2));

        List<Block> lifted = store.liftBlocks(user, "cleared", "officer-2");

        assertThat(lifted).hasSize(1);
        Block liftedBlock = lifted.get(0);
        assertThat(liftedBlock.id()).isEqualTo(block.id());
        assertThat(liftedBlock.liftedAt()).contains(liftedAt);
        assertThat(liftedBlock.liftedBy()).contains("officer-2");
        assertThat(liftedBlock.liftReason()).contains("cleared");
        assertThat(store.snapshot().block(user)).isEmpty();
        assertThat(store.listBlocks(false)).noneMatch(b -> b.user().equals(user));
        assertThat(store.listBlocks(true))
                .filteredOn(b -> b.user().equals(user))
                .containsExactly(liftedBlock);
        assertThat(store.liftBlocks(user, "again", "officer-2")).isEmpty();

        clock.advance(Duration.ofDays(1));
        Store.BlockOutcome again = store.addBlock(user, "relapse", "officer-1");
        assertThat(again.created()).isTrue();
        assertThat(again.block().id()).isNotEqualTo(block.id());
        assertThat(store.listBlocks(true))
                .filteredOn(b -> b.user().equals(user))
                .containsExactly(again.block(), liftedBlock);
    }

    // ---- change tracking ----

    @Test
    void everyWriteBumpsTheVersionAndRecordsWhoChangedWhat() throws SQLException {
        String user = "pat-" + instance;
        List<Runnable> writes = List.of(
                () -> store.addGrant(
                        grant(user, OptionalLong.of(1), START, Optional.of(START.plus(Duration.ofDays(30))))),
                () -> store.extendGrants(
                        GrantSelector.forProject(instance, user, 1), START.plus(Duration.ofDays(90)), admin, "renewed"),
                () -> store.revokeGrants(GrantSelector.forProject(instance, user, 1), admin, "done"),
                () -> store.setProject(
                        instance,
                        1,
                        Project.Status.APPROVED,
                        Optional.of("IRB-1"),
                        Optional.empty(),
                        Optional.empty(),
                        admin),
                () -> store.setProject(
                        instance,
                        1,
                        Project.Status.SUSPENDED,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        admin),
                () -> store.addBlock(user, "why", admin),
                () -> store.liftBlocks(user, "why not", admin));
        List<String> actions = List.of(
                "grant.add",
                "grant.extend",
                "grant.revoke",
                "project.approved",
                "project.suspended",
                "block.add",
                "block.remove");

        long version = store.version();
        for (int i = 0; i < writes.size(); i++) {
            clock.advance(Duration.ofSeconds(1));
            writes.get(i).run();
            assertThat(store.version()).as("version after " + actions.get(i)).isEqualTo(version + i + 1);
            assertThat(store.snapshot().version()).isEqualTo(version + i + 1);
        }

        List<String[]> changes = changesBy(admin);
        assertThat(changes).extracting(c -> c[1]).containsExactlyElementsOf(actions);
        for (int i = 0; i < changes.size(); i++) {
            assertThat(Long.parseLong(changes.get(i)[0]))
                    .isEqualTo(START.plusSeconds(i + 1).toEpochMilli());
        }
        assertThat(changes.get(0)[2]).contains(instance + "/" + user, "project=1");
        assertThat(changes.get(1)[2]).contains(instance + "/" + user, "until=", "reason=renewed");
        assertThat(changes.get(5)[2]).contains(user, "reason=why");

        // What each changed, before and after, as JSON.
        assertThat(changes.get(0)[3]).as("a new grant has no before").isNull();
        assertThat(changes.get(0)[4]).contains("\"user\":\"" + user + "\"", "\"project_id\":1", "\"revoked_at\":null");
        assertThat(changes.get(1)[3]).contains("\"valid_until\":\"" + START.plus(Duration.ofDays(30)) + "\"");
        assertThat(changes.get(1)[4]).contains("\"valid_until\":\"" + START.plus(Duration.ofDays(90)) + "\"");
        assertThat(changes.get(2)[3]).contains("\"revoked_at\":null");
        assertThat(changes.get(2)[4]).contains("\"revoked_by\":\"" + admin + "\"");
        assertThat(changes.get(3)[3]).isNull();
        assertThat(changes.get(3)[4]).contains("\"status\":\"approved\"", "\"irb_number\":\"IRB-1\"");
        assertThat(changes.get(4)[3]).contains("\"status\":\"approved\"");
        assertThat(changes.get(4)[4]).contains("\"status\":\"suspended\"", "\"irb_number\":\"IRB-1\"");
        assertThat(changes.get(5)[4]).contains("\"reason\":\"why\"", "\"lifted_at\":null");
        assertThat(changes.get(6)[3]).contains("\"lifted_at\":null");
        assertThat(changes.get(6)[4]).contains("\"lift_reason\":\"why not\"");
    }

    @Test
    void aRefusedWriteLeavesNoTrace() throws SQLException {
        long version = store.version();
        String tooLong = "q".repeat(256); // grants.username is VARCHAR(255) on every database

        assertThatThrownBy(() -> store.addGrant(grant(tooLong, OptionalLong.of(1), START, Optional.empty())))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("store ")
                .message()
                .doesNotContain("\n");

        assertThat(store.version()).isEqualTo(version);
        assertThat(changesBy(admin)).isEmpty();
        assertThat(store.listGrants(onInstance())).isEmpty();
        // The connection went back to the pool in a usable state.
        assertThat(store.addGrant(grant("q", OptionalLong.of(1), START, Optional.empty()))
                        .user())
                .isEqualTo("q");
        assertThat(store.version()).isEqualTo(version + 1);
    }

    // ---- scale ----

    @Test
    void snapshotOfFiveThousandGrantsWrittenConcurrentlyHasEveryOne() throws Exception {
        int writers = 4;
        int perWriter = 1250;
        long version = store.version();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<Grant>>> results = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                results.add(pool.submit(() -> {
                    List<Grant> mine = new ArrayList<>(perWriter);
                    for (int i = 0; i < perWriter; i++) {
                        int n = writer * perWriter + i;
                        // 1,000 users with five grants each, of every shape.
                        OptionalLong project = n % 5 == 0 ? OptionalLong.empty() : OptionalLong.of(n % 97 + 1);
                        Optional<Instant> until = n % 3 == 0 ? Optional.empty() : Optional.of(START.plusSeconds(n));
                        mine.add(store.addGrant(grant("user" + n % 1000, project, START, until)));
                    }
                    return mine;
                }));
            }
            List<Grant> added = new ArrayList<>();
            for (Future<List<Grant>> f : results) {
                added.addAll(f.get());
            }

            StoreSnapshot snapshot = store.snapshot();
            assertThat(snapshot.version()).isEqualTo(version + writers * perWriter);
            Set<Grant> read = new HashSet<>();
            for (int u = 0; u < 1000; u++) {
                List<Grant> grants = snapshot.grants(instance, "user" + u);
                assertThat(grants).hasSize(5);
                read.addAll(grants);
            }
            assertThat(read).containsExactlyInAnyOrderElementsOf(added);
            assertThat(changesBy(admin)).hasSize(writers * perWriter);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----

    private NewGrant grant(String user, OptionalLong project, Instant from, Optional<Instant> until) {
        return new NewGrant(instance, user, project, from, until, admin, "protocol for " + user);
    }

    private GrantFilter onInstance() {
        return new GrantFilter(Optional.of(instance), Optional.empty(), OptionalLong.empty(), true);
    }

    private GrantFilter activeOnInstance() {
        return new GrantFilter(Optional.of(instance), Optional.empty(), OptionalLong.empty(), false);
    }

    private GrantFilter forUser(String user) {
        return new GrantFilter(Optional.of(instance), Optional.of(user), OptionalLong.empty(), true);
    }

    /** The change log rows written by one actor, oldest first: {changed_at_ms, action, subject, before, after}. */
    private List<String[]> changesBy(String actor) throws SQLException {
        try (Connection c = database.connection();
                PreparedStatement ps = c.prepareStatement("SELECT changed_at_ms, action, subject, before_value,"
                        + " after_value FROM changes "
                        + "WHERE actor = ? ORDER BY changed_at_ms, change_id")) {
            ps.setString(1, actor);
            try (ResultSet rs = ps.executeQuery()) {
                List<String[]> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new String[] {
                        Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
                    });
                }
                return rows;
            }
        }
    }
}
