package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.AuditVerifier.Break;
import io.cdpaccess.audit.AuditVerifier.Kind;
import io.cdpaccess.audit.AuditVerifier.Report;
import io.cdpaccess.chain.ChainHash;
import io.cdpaccess.chain.Hash;
import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.store.NewGrant;
import io.cdpaccess.store.Store;
import io.cdpaccess.testing.Sql;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code audit verify} on each supported database: an untouched record verifies, and each kind
 * of tampering a person with write access to the database could do is caught and named, at the
 * record where it happened.
 *
 * <p>Each test writes two runs of decisions (two server processes, one after the other, with a
 * correction in the first) and two runs of changes (two CLI invocations), then tampers with the
 * tables by plain SQL, as such a person would.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabases.Kind.class)
class AuditVerifierTest {

    private static final Instant START = Instant.parse("2026-06-01T08:00:00Z");
    private static final Duration PATIENT = Duration.ofSeconds(30);
    private static final int PER_RUN = 6;

    @Parameter
    TestDatabases.Kind kind;

    private Database database;
    private TestClock clock;
    private AuditVerifier verifier;
    private final List<String> firstRun = new ArrayList<>();
    private final List<String> secondRun = new ArrayList<>();
    private String corrected;

    @BeforeEach
    void writeTwoRunsOfEach() throws SQLException {
        database = TestDatabases.create(kind).open("audit-verify-" + kind);
        clock = new TestClock(START);
        verifier = new AuditVerifier(database.dataSource());
        DecisionTable first = new DecisionTable(database.dataSource(), "server pid 1 as cdp", clock);
        for (int i = 0; i < PER_RUN; i++) {
            DecisionRecord r = record(i);
            first.write(List.of(DecisionTable.Row.of(r)), List.of());
            firstRun.add(r.decisionId());
        }
        corrected = firstRun.get(2);
        DecisionRecord late =
                new DecisionQuery(database.dataSource()).find(corrected).orElseThrow();
        first.write(List.of(), List.of(DecisionTable.Row.of(late.asDeadlineExceeded())));
        clock.advance(Duration.ofMinutes(1));
        try (DecisionLog second = new DecisionLog(database.dataSource(), clock)) {
            for (int i = 0; i < PER_RUN; i++) {
                DecisionRecord r = record(100 + i);
                assertThat(second.append(r, PATIENT)).isEqualTo(GroupCommit.Outcome.COMMITTED);
                secondRun.add(r.decisionId());
            }
        }
        for (String cli : List.of("cli pid 2 as root (sudo by alice)", "cli pid 3 as root (sudo by bob)")) {
            Store store = new Store(database, clock, cli);
            for (int i = 0; i < 3; i++) {
                store.addGrant(new NewGrant(
                        "prod",
                        "user" + i + "@example.edu",
                        OptionalLong.of(10 + i),
                        START,
                        Optional.empty(),
                        "admin@example.edu",
                        "IRB-2026-" + i));
            }
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Test
    void anUntouchedRecordVerifiesEveryRunAndTheCorrectionIsARecordOfItsOwn() throws SQLException {
        Report report = verify();

        assertThat(report.breaks()).isEmpty();
        assertThat(report.verifies()).isTrue();
        // 6 + 1 correction + 6 decisions, 6 changes; two chains each
        assertThat(report.records()).isEqualTo(19);
        assertThat(report.chains()).isEqualTo(4);
        assertThat(report.unchained()).isZero();
        DecisionRecord read =
                new DecisionQuery(database.dataSource()).find(corrected).orElseThrow();
        assertThat(read.reason()).as("read as corrected").isEqualTo("deadline-exceeded");
        assertThat(count("SELECT COUNT(*) FROM decisions WHERE corrects = '" + corrected + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM decisions WHERE decision_id = '" + corrected + "' AND reason = '"
                        + record(2).reason() + "'"))
                .as("the original stays as written")
                .isEqualTo(1);
    }

    @Test
    void aFieldUpdatedIsModifiedAtThatRecord() throws SQLException {
        // record 4 was a deny
        execute("UPDATE decisions SET effect = 'allow' WHERE decision_id = '" + firstRun.get(4) + "'");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.MODIFIED);
            assertThat(b.table()).isEqualTo("decisions");
            assertThat(b.recordId()).isEqualTo(firstRun.get(4));
            assertThat(b.seq()).isEqualTo(5);
        });
    }

    @Test
    void aCorrectionChangedInPlaceTheOldWayIsModified() throws SQLException {
        execute("UPDATE decisions SET reason = 'allowed-by-grant' WHERE corrects = '" + corrected + "'");

        assertThat(onlyBreak().kind()).isEqualTo(Kind.MODIFIED);
    }

    @Test
    void aRecordDeletedIsReportedAtTheOneAfterIt() throws SQLException {
        execute("DELETE FROM decisions WHERE decision_id = '" + firstRun.get(1) + "'");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.REMOVED);
            assertThat(b.recordId()).isEqualTo(firstRun.get(2));
            assertThat(b.message()).contains("1 record(s) before it");
        });
    }

    @Test
    void aRecordInsertedWithAValidHashOfItsOwnIsNamed() throws SQLException {
        // The forger knows the encoding: the record links to the one before it and its hash is right.
        // Only the record after it, which linked to that same one, gives it away.
        String chain = chainOf(secondRun.get(0));
        Hash before = hashAt(chain, 3);
        List<Object> forged = valuesOf(secondRun.get(3));
        forged.set(0, "FORGED-DECISION-0000000000");
        forged.set(9, "allow");
        execute("UPDATE decisions SET chain_seq = chain_seq + 1 WHERE chain_id = '" + chain + "' AND chain_seq >= 4");
        insert(forged, chain, 4, before);

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.INSERTED);
            assertThat(b.recordId()).isEqualTo("FORGED-DECISION-0000000000");
            assertThat(b.seq()).isEqualTo(4);
        });
    }

    @Test
    void twoRecordsSwappedAreReordered() throws SQLException {
        String chain = chainOf(firstRun.get(0));
        execute("UPDATE decisions SET chain_seq = CASE chain_seq WHEN 2 THEN 3 ELSE 2 END WHERE chain_id = '" + chain
                + "' AND chain_seq IN (2, 3)");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.REORDERED);
            assertThat(b.seq()).isEqualTo(2);
            assertThat(b.recordId()).isEqualTo(firstRun.get(2));
        });
    }

    @Test
    void aWholeEarlierRunRemovedBreaksTheLinkOfTheRunAfterIt() throws SQLException {
        String chain = chainOf(firstRun.get(0));
        execute("DELETE FROM decisions WHERE chain_id = '" + chain + "'");
        execute("DELETE FROM audit_chains WHERE chain_id = '" + chain + "'");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.START);
            assertThat(b.message()).contains("chain " + chain).contains("missing");
        });
    }

    @Test
    void aChainStartRowChangedIsCaught() throws SQLException {
        execute("UPDATE audit_chains SET writer = 'someone else' WHERE record_table = 'changes'");

        Report report = verify();
        assertThat(report.breaks())
                .hasSize(2)
                .allSatisfy(b -> assertThat(b.kind()).isEqualTo(Kind.START));
    }

    @Test
    void aChangeRecordEditedIsCaughtInTheChangesChain() throws SQLException {
        execute("UPDATE changes SET actor = 'nobody@example.edu' WHERE chain_seq = 2");

        Report report = verify();
        assertThat(report.breaks()).hasSize(2).allSatisfy(b -> {
            assertThat(b.table()).isEqualTo("changes");
            assertThat(b.kind()).isEqualTo(Kind.MODIFIED);
            assertThat(b.seq()).isEqualTo(2);
        });
    }

    @Test
    void aRecordWithoutAChainDatedAfterChainsBeganIsInserted() throws SQLException {
        execute("INSERT INTO changes (change_id, changed_at_ms, actor, action, subject) VALUES ('FORGED', "
                + START.plus(Duration.ofMinutes(5)).toEpochMilli() + ", 'admin', 'grant.add', 'x')");

        assertThat(onlyBreak()).satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.INSERTED);
            assertThat(b.recordId()).isEqualTo("FORGED");
        });
    }

    @Test
    void aTruncatedTailStillVerifiesFromTheDatabaseAlone() throws SQLException {
        // What checkpoints held elsewhere are for: the database alone cannot show it.
        String chain = chainOf(secondRun.get(0));
        execute("DELETE FROM decisions WHERE chain_id = '" + chain + "' AND chain_seq > 3");

        assertThat(verify().verifies()).isTrue();
    }

    @Test
    void aChainRewrittenFromItsStartVerifiesButNotAgainstACheckpoint() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(keysDir());
        List<Checkpoint> held = checkpointsOfEveryChain(keys);
        String chain = chainOf(secondRun.get(0));
        // Whoever can write the database edits a decision of the newest run and recomputes every
        // hash after it: the chain is consistent again, and only what was committed elsewhere shows it.
        execute("UPDATE decisions SET effect = 'allow', reason = 'allowed-by-grant' WHERE decision_id = '"
                + secondRun.get(0) + "'");
        rehash("decisions", chain);

        assertThat(verify().breaks()).as("the database alone").isEmpty();
        assertThat(checkpoints(held, keys)).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.REWRITTEN);
            assertThat(b.chainId()).isEqualTo(chain);
        });
    }

    @Test
    void aTruncatedTailIsCaughtByACheckpoint() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(keysDir());
        List<Checkpoint> held = checkpointsOfEveryChain(keys);
        String chain = chainOf(secondRun.get(0));
        execute("DELETE FROM decisions WHERE chain_id = '" + chain + "' AND chain_seq > 3");

        assertThat(checkpoints(held, keys)).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.TRUNCATED);
            assertThat(b.seq()).isEqualTo(PER_RUN);
            assertThat(b.message()).contains("missing");
        });
    }

    @Test
    void aCheckpointEditedOrSignedByAnUnknownKeyProvesNothing() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(keysDir());
        Checkpoint real = checkpointsOfEveryChain(keys).get(0);
        Checkpoint edited = new Checkpoint(
                real.table(),
                real.chainId(),
                real.records() - 1,
                real.head(),
                real.time(),
                real.last(),
                real.keyId(),
                real.signature());
        CheckpointKeys other = new CheckpointKeys(keysDir());
        Checkpoint foreign = Checkpoint.sign(
                real.table(),
                new io.cdpaccess.chain.ChainHead(real.chainId(), real.records(), real.head()),
                real.time(),
                real.last(),
                other.current());

        assertThat(checkpoints(List.of(real), keys)).isEmpty();
        assertThat(checkpoints(List.of(edited, foreign), keys))
                .extracting(Break::kind)
                .containsExactly(Kind.UNSIGNED, Kind.UNSIGNED);
    }

    @Test
    void aRecordAppendedWithAValidHashAfterAWritersLastCheckpointIsCaught() throws Exception {
        // Anyone who knows the encoding can extend a chain whose writer has stopped: its last
        // checkpoint says nothing may follow.
        CheckpointKeys keys = new CheckpointKeys(keysDir());
        List<Checkpoint> held = checkpointsOfEveryChain(keys);
        String chain = chainOf(secondRun.get(0));
        List<Object> forged = valuesOf(secondRun.get(5));
        forged.set(0, "APPENDED-DECISION-00000000");
        insert(forged, chain, PER_RUN + 1, hashAt(chain, PER_RUN));

        assertThat(verify().breaks()).as("the database alone").isEmpty();
        assertThat(checkpoints(held, keys)).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(Kind.APPENDED);
            assertThat(b.seq()).isEqualTo(PER_RUN + 1);
        });
    }

    @Test
    void aRotatedKeysOlderCheckpointsStillVerify() throws Exception {
        CheckpointKeys keys = new CheckpointKeys(keysDir());
        List<Checkpoint> before = checkpointsOfEveryChain(keys);
        String rotated = keys.rotate().id();

        assertThat(before.get(0).keyId()).isNotEqualTo(rotated);
        assertThat(keys.publicKeys()).containsKeys(before.get(0).keyId(), rotated);
        assertThat(checkpoints(before, keys)).isEmpty();
    }

    @Test
    void sinceChecksOnlyTheRecordsFromThenOn() throws SQLException {
        execute("UPDATE decisions SET detail = 'edited' WHERE decision_id = '" + firstRun.get(0) + "'");

        assertThat(verify().breaks()).hasSize(1);
        Report recent = verifier.verify(Optional.of(START.plus(Duration.ofSeconds(30))), n -> {});
        assertThat(recent.breaks()).isEmpty();
        assertThat(recent.records()).isEqualTo(6 + 6);
    }

    @Test
    void progressIsReportedWithTheRecordsDone() throws SQLException {
        List<Long> seen = new ArrayList<>();
        verifier.verify(Optional.empty(), seen::add);
        assertThat(seen).isNotEmpty().last().isEqualTo(19L);
    }

    /**
     * The service's verdict, checked against the outside verifier's ({@code
     * tools/cdp-access-audit-verify.py}, written from the README's encoding) on an {@code audit
     * export} of the same database: the same breaks, at the same records, the same counts.
     */
    private Path keysDir() throws java.io.IOException {
        return Files.createTempDirectory("checkpoint-keys");
    }

    /** A checkpoint of the head of every chain, as the writers would have emitted them. */
    private List<Checkpoint> checkpointsOfEveryChain(CheckpointKeys keys) throws Exception {
        List<Checkpoint> out = new ArrayList<>();
        for (ChainedTable table : AuditVerifier.TABLES) {
            try (Connection c = database.dataSource().getConnection()) {
                for (io.cdpaccess.db.AuditChains.Start start : io.cdpaccess.db.AuditChains.all(c, table.name())) {
                    io.cdpaccess.chain.ChainHead head = io.cdpaccess.db.AuditChains.head(c, table, start.chainId())
                            .orElseThrow();
                    out.add(Checkpoint.sign(table.name(), head, clock.instant(), true, keys.current()));
                }
            }
        }
        return out;
    }

    /** Recomputes every hash of a chain from its start, as a forger who knows the encoding would. */
    private void rehash(String tableName, String chain) throws SQLException {
        Forger.rehash(database.dataSource(), tableName, chain);
    }

    private Report verify() throws SQLException {
        Report report = verifier.verify(Optional.empty(), n -> {});
        assertThat(outsideVerdict())
                .as("tools/cdp-access-audit-verify.py's verdict")
                .isEqualTo(verdict(report));
        return report;
    }

    private static List<String> verdict(Report report) {
        return OutsideVerifier.verdict(report);
    }

    private List<String> outsideVerdict() throws SQLException {
        return OutsideVerifier.outsideVerdict(database.dataSource());
    }

    /**
     * The service's verdict on checkpoints, checked against the outside verifier's (signatures by
     * openssl, with the public keys as the PEM files an auditor keeps).
     */
    private List<Break> checkpoints(List<Checkpoint> held, CheckpointKeys keys) throws Exception {
        List<Break> breaks = verifier.checkpoints(held, keys.publicKeys());
        List<String> expected = new ArrayList<>();
        for (Break b : breaks) {
            expected.add("BREAK " + b.table() + " chain " + b.chainId() + " place " + b.seq() + ": "
                    + b.kind().label());
        }
        expected.add(
                breaks.isEmpty()
                        ? "all " + held.size() + " checkpoints hold"
                        : breaks.size() + " of " + held.size() + " checkpoints do not hold");
        Path file = Files.createTempFile("checkpoints", ".log");
        Files.write(
                file,
                held.stream().map(c -> "journal line: checkpoint " + c.json()).toList());
        List<String> args = new ArrayList<>(List.of("--checkpoints", file.toString()));
        for (java.security.PublicKey key : keys.publicKeys().values()) {
            Path pem = Files.createTempFile("checkpoint-key", ".pem");
            Files.writeString(pem, CheckpointKeys.publicPem(key));
            args.addAll(List.of("--public-key", pem.toString()));
        }
        assertThat(runOutside(args).subList(0, expected.size()))
                .as("tools/cdp-access-audit-verify.py on the checkpoints")
                .isEqualTo(expected);
        return breaks;
    }

    private List<String> runOutside(List<String> args) throws SQLException {
        return OutsideVerifier.run(database.dataSource(), args);
    }

    private Break onlyBreak() throws SQLException {
        Report report = verify();
        assertThat(report.verifies()).isFalse();
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

    private Hash hashAt(String chain, long seq) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT record_hash FROM decisions WHERE chain_id = ? AND chain_seq = ?")) {
            ps.setString(1, chain);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Hash.of(rs.getBytes(1));
            }
        }
    }

    private List<Object> valuesOf(String decisionId) throws SQLException {
        ChainedTable table = DecisionTable.CHAINED;
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(table.selectSql() + " WHERE decision_id = ?")) {
            ps.setString(1, decisionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ArrayList<>(table.read(rs));
            }
        }
    }

    private void insert(List<Object> values, String chain, long seq, Hash previous) throws SQLException {
        ChainedTable table = DecisionTable.CHAINED;
        Hash hash = ChainHash.of(previous, table.name(), values);
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(table.insertSql())) {
            table.bind(ps, values, new io.cdpaccess.chain.Chain.Link(chain, seq, previous, hash));
            ps.executeUpdate();
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
                clock.instant().plusMillis(n),
                Optional.of("prod"),
                Optional.of("Müller-" + n + " 😀"),
                Optional.of("müller-" + n + " 😀"),
                Optional.of(Long.toString(1000 + n)),
                Optional.of("https://redcap.example.edu/"),
                "192.0.2." + n % 256,
                "10.0.0.1",
                n % 2 == 0 ? Effect.DENY : Effect.ALLOW,
                n % 2 == 0 ? "no-grant" : "allowed-by-grant",
                Optional.of("rule \"r" + n + "\",\nline 2"),
                200,
                7L * n,
                Optional.empty(),
                Optional.of("v1"),
                Optional.of("{\"format\":1,\"n\":" + n + "}"));
    }
}
