package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.audit.AuditVerifier.Break;
import io.cdpaccess.audit.AuditVerifier.Kind;
import io.cdpaccess.audit.AuditVerifier.Report;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.store.ChangeValues;
import io.cdpaccess.store.GrantSelector;
import io.cdpaccess.store.NewGrant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.Store;
import io.cdpaccess.testing.Sql;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code audit purge} on each supported database: records past the retention go, the change
 * records that explain the current state stay, and both verifiers (this service's and the
 * outside one, from an export) still pass; a deletion no purge record covers, and a purge record
 * edited or forged, are still caught.
 *
 * <p>Each test writes, in 2026, two runs of decisions and two CLI runs of changes (grants, a
 * project approved then suspended, a block that stays and one lifted), then seven years later
 * a revocation and a third run of decisions.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabases.Kind.class)
class AuditPurgeTest {

    private static final Instant START = Instant.parse("2026-06-01T08:00:00Z");
    private static final Duration SEVEN_YEARS = Duration.ofDays(7 * 365 + 2);
    private static final Duration PATIENT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    TestDatabases.Kind kind;

    private Database database;
    private TestClock clock;
    private final List<String> oldDecisions = new ArrayList<>();
    private final List<String> newDecisions = new ArrayList<>();
    private final List<String> grants = new ArrayList<>();

    @BeforeEach
    void writeOldAndNewRecords() throws SQLException {
        database = TestDatabases.create(kind).open("audit-purge-" + kind);
        clock = new TestClock(START);
        DecisionTable first = new DecisionTable(database.dataSource(), "server pid 1 as cdp", clock);
        for (int i = 0; i < 6; i++) {
            DecisionRecord r = record(i);
            first.write(List.of(DecisionTable.Row.of(r)), List.of());
            oldDecisions.add(r.decisionId());
        }
        DecisionRecord late = new DecisionQuery(database.dataSource())
                .find(oldDecisions.get(2))
                .orElseThrow();
        first.write(List.of(), List.of(DecisionTable.Row.of(late.asDeadlineExceeded())));
        clock.advance(Duration.ofMinutes(1));
        appendRun(oldDecisions, 100);
        Store a = new Store(database, clock, "cli pid 2 as root (sudo by alice)");
        for (int i = 0; i < 3; i++) {
            grants.add(a.addGrant(grant("user" + i + "@example.edu", 10 + i)).id());
        }
        a.setProject(
                "prod", 10, Project.Status.APPROVED, Optional.of("IRB-1"), Optional.empty(), Optional.empty(), "a");
        clock.advance(Duration.ofMinutes(1));
        Store b = new Store(database, clock, "cli pid 3 as root (sudo by bob)");
        b.setProject("prod", 10, Project.Status.SUSPENDED, Optional.empty(), Optional.empty(), Optional.empty(), "b");
        b.addBlock("mallory@example.edu", "stays", "b");
        b.addBlock("eve@example.edu", "lifted", "b");
        b.liftBlocks("eve@example.edu", "cleared", "b");
        clock.advance(SEVEN_YEARS);
        new Store(database, clock, "cli pid 4 as root").revokeGrants(GrantSelector.byId(grants.get(1)), "c", "left");
        appendRun(newDecisions, 200);
        clock.advance(Duration.ofMinutes(1));
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Test
    void aPurgeRemovesWhatIsPastTheRetentionKeepsWhatExplainsTheStateAndEverythingStillVerifies() throws Exception {
        AuditPurge.Result result = purge(2);

        assertThat(result.removed()).containsEntry("decisions", 13L).containsEntry("changes", 4L);
        assertThat(result.keptChanges())
                .as("user0's and user2's grants, the suspension, mallory's block")
                .isEqualTo(4);
        assertThat(purgeRecords())
                .as("one purge record a batch, of two records at most")
                .hasSize(result.batches())
                .allSatisfy(r -> assertThat(r.get("removed").get("decisions").asLong()
                                + r.get("removed").get("changes").asLong())
                        .isBetween(1L, 2L));
        assertThat(result.batches()).isBetween(7 + 2, 7 + 4);
        for (String id : oldDecisions) {
            assertThat(count("SELECT COUNT(*) FROM decisions WHERE decision_id = '" + id + "'"))
                    .isZero();
        }
        assertThat(count("SELECT COUNT(*) FROM decisions")).isEqualTo(newDecisions.size());
        List<String> left = actions();
        assertThat(left.subList(0, 5))
                .containsExactly(
                        "grant.add " + grants.get(0),
                        "grant.add " + grants.get(2),
                        "project.suspended prod/10",
                        "block.add mallory@example.edu",
                        "grant.revoke");
        assertThat(left.subList(5, left.size())).hasSize(result.batches()).containsOnly("audit.purge");
        Report report = verify();
        assertThat(report.breaks()).isEmpty();
        assertThat(report.records()).isEqualTo(6 + 4 + 1 + result.batches());
        assertThat(report.chains()).as("every chain's start row stays").isEqualTo(3 + 4);
    }

    @Test
    void aPurgeRecordSaysWhoWhenWhyAndExactlyWhatWentPerChain() throws Exception {
        purge(1000);

        JsonNode decisions = purgeRecords().get(0);
        assertThat(decisions.get("format").asInt()).isEqualTo(1);
        assertThat(decisions.get("retention").asText()).isEqualTo("6y");
        assertThat(decisions.get("by").asText()).isEqualTo("purger@example.edu");
        assertThat(Instant.parse(decisions.get("cutoff").asText()))
                .isEqualTo(
                        clock.instant().atOffset(ZoneOffset.UTC).minusYears(6).toInstant());
        assertThat(decisions.get("removed").toString()).isEqualTo("{\"decisions\":13,\"changes\":0,\"unchained\":0}");
        assertThat(decisions.get("anchors")).hasSize(2).allSatisfy(a -> {
            assertThat(a.get("table").asText()).isEqualTo("decisions");
            assertThat(a.get("ranges"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.get("from").asLong()).isEqualTo(1));
        });
        JsonNode changes = purgeRecords().get(1);
        // The first CLI run's chain loses its grant of user1 (place 2) and its project record
        // (place 4, superseded); user0's and user2's grants stay between them.
        assertThat(changes.get("anchors").get(0).get("ranges"))
                .extracting(r -> r.get("from").asLong() + ".." + r.get("to").asLong())
                .containsExactly("2..2", "4..4");
        assertThat(changes.get("anchors").get(1).get("ranges"))
                .extracting(r -> r.get("from").asLong() + ".." + r.get("to").asLong())
                .containsExactly("3..4");
    }

    @Test
    void aLaterPurgeStepsOverTheGapsOfTheEarlierOnesAndKeepsTheirRecords() throws Exception {
        purge(1000);
        clock.advance(Duration.ofDays(400));
        new Store(database, clock, "cli pid 6 as root").revokeGrants(GrantSelector.byId(grants.get(0)), "c", "gone");
        appendRun(newDecisions, 300);

        AuditPurge.Result second = purge(1000);

        assertThat(second.removed()).containsEntry("changes", 1L).containsEntry("decisions", 0L);
        assertThat(second.keptChanges()).as("user2, the suspension, mallory").isEqualTo(3);
        assertThat(verify().breaks()).isEmpty();
    }

    @Test
    void aDryRunSaysWhatWouldGoAndChangesNothing() throws Exception {
        long decisions = count("SELECT COUNT(*) FROM decisions");
        long changes = count("SELECT COUNT(*) FROM changes");

        AuditPurge.Result would = new AuditPurge(database.dataSource(), 2).dryRun(request(), n -> {});

        assertThat(would.removed()).containsEntry("decisions", 13L).containsEntry("changes", 4L);
        assertThat(would.batches()).isZero();
        assertThat(count("SELECT COUNT(*) FROM decisions")).isEqualTo(decisions);
        assertThat(count("SELECT COUNT(*) FROM changes")).isEqualTo(changes);
        assertThat(purge(2).removed()).as("what it said").isEqualTo(would.removed());
    }

    @Test
    void aDeletionNoPurgeRecordCoversIsStillRemoved() throws Exception {
        purge(2);
        String chain = chainOf(newDecisions.get(0));
        execute("DELETE FROM decisions WHERE chain_id = '" + chain + "' AND chain_seq = 3");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.REMOVED);
            assertThat(b.recordId()).isEqualTo(newDecisions.get(3));
        });
    }

    @Test
    void aKeptRecordDeletedNextToAPurgedOneIsCaughtAtTheAnchor() throws Exception {
        purge(2);
        // user2's grant, the last record kept in the first CLI run's chain, before a purged one
        execute("DELETE FROM changes WHERE subject LIKE '" + grants.get(2) + "%'");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.ANCHOR);
            assertThat(b.table()).isEqualTo("changes");
        });
    }

    @Test
    void anEditedPurgeRecordBreaksTheChangesChain() throws Exception {
        purge(1000);
        execute("UPDATE changes SET after_value = REPLACE(after_value, '\"unchained\":0', '\"unchained\":1')"
                + " WHERE action = 'audit.purge'");

        Report report = verify();
        assertThat(report.verifies()).isFalse();
        assertThat(report.breaks()).anySatisfy(b -> {
            assertThat(b.table()).isEqualTo("changes");
            assertThat(b.kind()).isEqualTo(Kind.MODIFIED);
        });
    }

    @Test
    void aForgedAnchorClaimingRecordsThatAreThereIsCaughtEvenWithItsHashesRecomputed() throws Exception {
        purge(1000);
        String chain = chainOf(newDecisions.get(0));
        String purgeChain = firstPurgeChain();
        String forged = "{\"table\":\"decisions\",\"chain_id\":\"" + chain
                + "\",\"ranges\":[{\"from\":2,\"to\":3,\"previous_hash\":\"" + "ab".repeat(32)
                + "\",\"last_hash\":\"" + "cd".repeat(32) + "\"}]},";
        execute("UPDATE changes SET after_value = REPLACE(after_value, '\"anchors\":[', '\"anchors\":[" + forged
                + "') WHERE action = 'audit.purge' AND after_value LIKE '%\"decisions\":13%'");
        Forger.rehash(database.dataSource(), "changes", purgeChain);

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.ANCHOR);
            assertThat(b.chainId()).isEqualTo(chain);
            assertThat(b.seq()).isEqualTo(2);
        });
    }

    @Test
    void anUnreadablePurgeRecordIsABreakOfItsOwn() throws Exception {
        purge(1000);
        execute("UPDATE changes SET after_value = '{\"format\":1}' WHERE action = 'audit.purge'");
        Forger.rehash(database.dataSource(), "changes", firstPurgeChain());

        Report report = verify();
        assertThat(report.breaks())
                .filteredOn(b -> b.kind() == Kind.ANCHOR && b.table().equals("changes"))
                .as("each purge record")
                .hasSize(2);
        assertThat(report.breaks())
                .as("and the gaps they no longer cover")
                .anySatisfy(b -> assertThat(b.table()).isEqualTo("decisions"));
    }

    @Test
    void aRecordThatNoLongerVerifiesIsNeverPurged() throws Exception {
        execute("UPDATE decisions SET effect = 'allow' WHERE decision_id = '" + oldDecisions.get(4) + "'");
        long before = count("SELECT COUNT(*) FROM decisions");

        IllegalStateException e = catchThrowableOfType(IllegalStateException.class, () -> purge(2));

        assertThat(e).hasMessageContaining("1 broken chain(s)").hasMessageContaining("erase the evidence");
        assertThat(count("SELECT COUNT(*) FROM decisions")).isEqualTo(before);
        assertThat(count("SELECT COUNT(*) FROM changes WHERE action = 'audit.purge'"))
                .isZero();
    }

    @Test
    void theDecisionWriterKeepsAnsweringWhileAPurgeRunsOverManyBatches() throws Exception {
        clock.set(START.plusSeconds(3600));
        DecisionTable bulk = new DecisionTable(database.dataSource(), "server pid 7 as cdp", clock);
        List<DecisionTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            rows.add(DecisionTable.Row.of(record(1000 + i)));
        }
        bulk.write(rows, List.of());
        clock.set(START.plus(SEVEN_YEARS).plusSeconds(3600));
        List<String> during = new ArrayList<>();
        long slowest = 0;
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock)) {
            CompletableFuture<AuditPurge.Result> purging = CompletableFuture.supplyAsync(() -> {
                try {
                    return purge(50);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            int n = 5000;
            while (!purging.isDone() || during.size() < 20) {
                DecisionRecord r = record(n++);
                long t0 = System.nanoTime();
                assertThat(log.append(r, PATIENT)).isEqualTo(GroupCommit.Outcome.COMMITTED);
                slowest = Math.max(slowest, System.nanoTime() - t0);
                during.add(r.decisionId());
            }
            AuditPurge.Result result = purging.get(5, TimeUnit.MINUTES);
            assertThat(result.removed()).containsEntry("decisions", 3013L);
            assertThat(result.batches()).isGreaterThan(60);
        }
        System.out.printf(
                "%s: %d decisions written during a purge of 3013 in batches of 50; slowest append %d ms%n",
                kind, during.size(), slowest / 1_000_000);
        assertThat(count("SELECT COUNT(*) FROM decisions")).isEqualTo(newDecisions.size() + during.size());
        assertThat(verify().breaks()).isEmpty();
    }

    private AuditPurge.Result purge(int batch) throws SQLException {
        Store purger = new Store(database, clock, "cli pid 5 as root (sudo by carol)");
        AuditPurge.Request request = new AuditPurge.Request(
                clock.instant().atOffset(ZoneOffset.UTC).minusYears(6).toInstant(),
                "6y",
                "purger@example.edu",
                purger.explainingChanges());
        return new AuditPurge(database.dataSource(), batch)
                .purge(
                        request,
                        (delete, after) -> purger.recordWork(
                                request.by(),
                                AuditPurge.ACTION,
                                "records before " + request.cutoff(),
                                delete,
                                done -> done.total() > 0,
                                done -> new ChangeValues(Optional.empty(), Optional.of(after.apply(done)))),
                        n -> {});
    }

    private AuditPurge.Request request() {
        return new AuditPurge.Request(
                clock.instant().atOffset(ZoneOffset.UTC).minusYears(6).toInstant(),
                "6y",
                "purger@example.edu",
                new Store(database, clock).explainingChanges());
    }

    private void appendRun(List<String> ids, int from) {
        try (DecisionLog log = new DecisionLog(database.dataSource(), clock)) {
            for (int i = 0; i < 6; i++) {
                DecisionRecord r = record(from + i);
                assertThat(log.append(r, PATIENT)).isEqualTo(GroupCommit.Outcome.COMMITTED);
                ids.add(r.decisionId());
            }
        }
    }

    private static NewGrant grant(String user, long project) {
        return new NewGrant(
                "prod", user, OptionalLong.of(project), START, Optional.empty(), "admin@example.edu", "IRB-" + project);
    }

    /** Every change record left, oldest first: its action, and for a grant or block what it names. */
    private List<String> actions() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT action, subject FROM changes ORDER BY changed_at_ms, chain_id, chain_seq")) {
            while (rs.next()) {
                String action = rs.getString(1);
                String subject = rs.getString(2);
                out.add(
                        action.equals("grant.add")
                                ? action + " " + subject.split(" ")[0]
                                : action.startsWith("project.")
                                        ? action + " " + subject
                                        : action.equals("block.add") ? action + " " + subject.split(" ")[0] : action);
            }
        }
        return out;
    }

    private List<JsonNode> purgeRecords() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT after_value FROM changes WHERE action = 'audit.purge' ORDER BY chain_seq")) {
            while (rs.next()) {
                out.add(JSON.readTree(rs.getString(1)));
            }
        }
        return out;
    }

    private String firstPurgeChain() throws SQLException {
        try (Connection c = database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT chain_id FROM changes WHERE action = 'audit.purge'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Report verify() throws SQLException {
        Report report = new AuditVerifier(database.dataSource()).verify(Optional.empty(), n -> {});
        assertThat(OutsideVerifier.outsideVerdict(database.dataSource()))
                .as("tools/cdp-access-audit-verify.py's verdict")
                .isEqualTo(OutsideVerifier.verdict(report));
        return report;
    }

    private Break onlyBreak() throws SQLException {
        Report report = verify();
        assertThat(report.breaks()).hasSize(1);
        return report.breaks().get(0);
    }

    private String chainOf(String decisionId) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT chain_id FROM decisions WHERE decision_id = ?")) {
            ps.setString(1, decisionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private void execute(String sql) throws SQLException {
        Sql.execute(database.dataSource(), sql);
    }

    private long count(String sql) throws SQLException {
        return Sql.count(database.dataSource(), sql);
    }

    private DecisionRecord record(int n) {
        return new DecisionRecord(
                Ids.next(clock),
                clock.instant().plusMillis(n % 1000),
                Optional.of("prod"),
                Optional.of("user-" + n),
                Optional.of("user-" + n),
                Optional.of(Long.toString(1000 + n)),
                Optional.of("https://redcap.example.edu/"),
                "192.0.2." + n % 256,
                "10.0.0.1",
                n % 2 == 0 ? Effect.DENY : Effect.ALLOW,
                n % 2 == 0 ? "no-grant" : "allowed-by-grant",
                Optional.empty(),
                200,
                7L * n,
                Optional.empty(),
                Optional.of("v1"),
                Optional.of("{\"format\":1,\"n\":" + n + "}"));
    }
}
