package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.db.Database;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.testing.TestDatabases.Kind;
import java.io.StringWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an administrator asking "why?" gets back from the decision log on each supported database:
 * filters by time, user, instance and outcome, and the most recent N, always oldest first.
 *
 * <p>One fixed set of decisions is recorded per database through {@link DecisionLog}; the
 * expected answer of each query is computed from that list in plain Java.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Kind.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionQueryTest {

    private static final Instant T0 = Instant.parse("2026-06-01T09:00:00Z");
    /** Far from T0: a separate stretch of time holding many rows, for streaming. */
    private static final Instant BULK = Instant.parse("2026-07-01T00:00:00Z");

    private static final int BULK_ROWS = 1_500;
    private static final Comparator<DecisionRecord> TIME_ORDER =
            Comparator.comparing(DecisionRecord::decidedAt).thenComparing(DecisionRecord::decisionId);

    @Parameter
    Kind kind;

    private Database database;
    private DecisionQuery query;
    /** The records around T0, in the order the log must return them. */
    private List<DecisionRecord> recorded;

    @BeforeParameterizedClassInvocation
    void recordDecisions() {
        database = TestDatabases.create(kind).open("decision-query-" + kind);
        query = new DecisionQuery(database.dataSource());
        TestClock clock = new TestClock(T0);
        recorded = new ArrayList<>();
        recorded.add(decision(clock, T0, "prod", "Alice", "alice", Effect.ALLOW, "granted"));
        recorded.add(decision(clock, T0.plusSeconds(1), "prod", "bob", "bob", Effect.DENY, "no-grant"));
        recorded.add(decision(clock, T0.plusSeconds(2), "test", "alice", "alice", Effect.ALLOW, "granted"));
        // Two decisions in the same millisecond: the id breaks the tie.
        recorded.add(decision(clock, T0.plusSeconds(3), "prod", "ALICE ", "alice", Effect.ERROR, "store-unavailable"));
        recorded.add(decision(clock, T0.plusSeconds(3), "prod", "carol", "carol", Effect.DENY, "blocked"));
        // A malformed request: the raw user is kept, but there is no normalized one to filter on.
        recorded.add(new DecisionRecord(
                Ids.next(clock),
                T0.plusSeconds(4),
                Optional.of("prod"),
                Optional.of("alice"),
                Optional.empty(),
                Optional.of("abc"),
                Optional.empty(),
                "192.0.2.7",
                "192.0.2.7",
                Effect.DENY,
                "bad-request",
                Optional.of("project_id is not a positive integer"),
                200,
                40,
                Optional.empty()));
        // Refused before any decision: not even an instance.
        recorded.add(new DecisionRecord(
                Ids.next(clock),
                T0.plusSeconds(5),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "203.0.113.9",
                "203.0.113.9",
                Effect.REJECTED,
                "bad-secret",
                Optional.empty(),
                403,
                12,
                Optional.empty()));
        recorded.add(decision(clock, T0.plus(Duration.ofDays(1)), "test", "dan", "dan", Effect.ALLOW, "granted"));
        recorded.sort(TIME_ORDER);

        List<DecisionRecord> all = new ArrayList<>(recorded);
        for (int i = 0; i < BULK_ROWS; i++) {
            all.add(decision(clock, BULK.plusMillis(i / 3), "bulk", "user" + i, "user" + i, Effect.ALLOW, "granted"));
        }
        try (DecisionLog log = new DecisionLog(database.dataSource(), java.time.Clock.systemUTC())) {
            for (DecisionRecord r : all) {
                assertThat(log.append(r, Duration.ofSeconds(30))).isEqualTo(GroupCommit.Outcome.COMMITTED);
            }
        }
    }

    @AfterParameterizedClassInvocation
    void closeDatabase() {
        database.close();
    }

    @Test
    void withoutFiltersEveryRecordComesBackOldestFirst() throws SQLException {
        assertThat(query.list(aroundT0())).containsExactlyElementsOf(recorded);
    }

    @Test
    void sinceIsInclusiveAndUntilExclusive() throws SQLException {
        DecisionFilter filter = new DecisionFilter(
                Optional.of(T0.plusSeconds(1)),
                Optional.of(T0.plusSeconds(3)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());

        assertThat(query.list(filter))
                .containsExactlyElementsOf(expected(r -> !r.decidedAt().isBefore(T0.plusSeconds(1))
                        && r.decidedAt().isBefore(T0.plusSeconds(3))));
        assertThat(query.list(filter)).hasSize(2);
    }

    @Test
    void userMeansTheNormalizedUsername() throws SQLException {
        List<DecisionRecord> alice = query.list(within(Optional.empty(), Optional.of("alice"), Optional.empty()));

        assertThat(alice)
                .containsExactlyElementsOf(expected(r -> r.normalizedUser().equals(Optional.of("alice"))));
        assertThat(alice).extracting(r -> r.user().orElseThrow()).containsExactly("Alice", "alice", "ALICE ");
        assertThat(query.list(within(Optional.empty(), Optional.of("ALICE"), Optional.empty())))
                .isEmpty();
    }

    @Test
    void instanceAndEffectFiltersCombine() throws SQLException {
        assertThat(query.list(within(Optional.of("prod"), Optional.empty(), Optional.empty())))
                .containsExactlyElementsOf(expected(r -> r.instance().equals(Optional.of("prod"))));
        assertThat(query.list(within(Optional.empty(), Optional.empty(), Optional.of(Effect.DENY))))
                .containsExactlyElementsOf(expected(r -> r.effect() == Effect.DENY));
        assertThat(query.list(within(Optional.of("prod"), Optional.of("alice"), Optional.of(Effect.ALLOW))))
                .containsExactlyElementsOf(expected(r -> r.instance().equals(Optional.of("prod"))
                        && r.normalizedUser().equals(Optional.of("alice"))
                        && r.effect() == Effect.ALLOW))
                .hasSize(1);
        assertThat(query.list(within(Optional.of("test"), Optional.empty(), Optional.of(Effect.REJECTED))))
                .isEmpty();
    }

    @Test
    void aLimitGivesTheMostRecentRecordsStillOldestFirst() throws SQLException {
        assertThat(query.list(limited(aroundT0(), 3)))
                .containsExactlyElementsOf(recorded.subList(recorded.size() - 3, recorded.size()));
        assertThat(query.list(limited(aroundT0(), 1))).containsExactly(recorded.get(recorded.size() - 1));
        assertThat(query.list(limited(aroundT0(), 1_000))).containsExactlyElementsOf(recorded);

        DecisionFilter prodDenies = within(Optional.of("prod"), Optional.empty(), Optional.of(Effect.DENY));
        List<DecisionRecord> allProdDenies =
                expected(r -> r.instance().equals(Optional.of("prod")) && r.effect() == Effect.DENY);
        assertThat(query.list(limited(prodDenies, 2)))
                .containsExactlyElementsOf(allProdDenies.subList(allProdDenies.size() - 2, allProdDenies.size()));
    }

    @Test
    void manyRowsStreamInTimeOrder() throws SQLException {
        DecisionFilter bulk = new DecisionFilter(
                Optional.of(BULK),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        List<DecisionRecord> streamed = new ArrayList<>();
        query.forEach(bulk, streamed::add);

        assertThat(streamed).hasSize(BULK_ROWS).isSortedAccordingTo(TIME_ORDER);
        assertThat(streamed).extracting(r -> r.instance().orElseThrow()).containsOnly("bulk");
        assertThat(query.list(limited(bulk, 600)))
                .containsExactlyElementsOf(streamed.subList(BULK_ROWS - 600, BULK_ROWS));
    }

    @Test
    void findsOneRecordByIdAndNothingForAnUnknownId() throws SQLException {
        DecisionRecord sparse = recorded.stream()
                .filter(r -> r.instance().isEmpty())
                .findFirst()
                .orElseThrow();

        assertThat(query.find(sparse.decisionId())).contains(sparse);
        assertThat(query.find(recorded.get(0).decisionId())).contains(recorded.get(0));
        assertThat(query.find("01J0000000000000000000000Z")).isEmpty();
    }

    @Test
    void anExportOfAQueryParsesBackToTheRecords() throws Exception {
        StringWriter out = new StringWriter();
        try (DecisionExport export = new DecisionExport(out, DecisionExport.Format.JSONL)) {
            query.forEach(aroundT0(), export::write);
            assertThat(export.count()).isEqualTo(recorded.size());
        }

        ObjectMapper json = new ObjectMapper();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(recorded.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = json.readTree(lines.get(i));
            DecisionRecord r = recorded.get(i);
            assertThat(line.get("decision_id").asText()).isEqualTo(r.decisionId());
            assertThat(Instant.parse(line.get("decided_at").asText())).isEqualTo(r.decidedAt());
            assertThat(line.get("user").isNull()).isEqualTo(r.user().isEmpty());
            assertThat(line.get("http_status").asInt()).isEqualTo(r.httpStatus());
        }
    }

    @Test
    void searchesByProjectReasonDecisionIdAndPolicyVersion() throws Exception {
        DecisionRecord malformed =
                expected(r -> r.projectId().equals(Optional.of("abc"))).get(0);
        DecisionRecord carol = expected(r -> r.reason().equals("blocked")).get(0);
        assertThat(query.list(more(Optional.of("abc"), Optional.empty(), Optional.empty(), Optional.empty())))
                .containsExactly(malformed);
        assertThat(query.list(more(Optional.of("77"), Optional.empty(), Optional.empty(), Optional.empty())))
                .containsExactlyElementsOf(expected(r -> r.projectId().equals(Optional.of("77"))));
        assertThat(query.list(more(Optional.empty(), Optional.of("blocked"), Optional.empty(), Optional.empty())))
                .containsExactly(carol);
        assertThat(query.list(
                        more(Optional.empty(), Optional.empty(), Optional.of(carol.decisionId()), Optional.empty())))
                .containsExactly(carol);
        assertThat(query.list(more(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("no-such"))))
                .isEmpty();
    }

    private static DecisionFilter more(
            Optional<String> project, Optional<String> reason, Optional<String> id, Optional<String> policyVersion) {
        return new DecisionFilter(
                Optional.of(T0),
                Optional.of(BULK),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                project,
                reason,
                id,
                policyVersion);
    }

    // ---- helpers ----

    private static DecisionRecord decision(
            TestClock clock,
            Instant at,
            String instance,
            String user,
            String normalized,
            Effect effect,
            String reason) {
        return new DecisionRecord(
                Ids.next(clock),
                at,
                Optional.of(instance),
                Optional.of(user),
                Optional.of(normalized),
                Optional.of("77"),
                Optional.of("https://redcap." + instance + ".example.edu/"),
                "10.1.2.3",
                "10.1.2.3",
                effect,
                reason,
                Optional.empty(),
                200,
                150,
                effect == Effect.ALLOW ? Optional.of(Ids.next(clock)) : Optional.empty());
    }

    private List<DecisionRecord> expected(Predicate<DecisionRecord> matching) {
        return recorded.stream().filter(matching).toList();
    }

    private static DecisionFilter aroundT0() {
        return new DecisionFilter(
                Optional.of(T0),
                Optional.of(BULK),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    private static DecisionFilter within(Optional<String> instance, Optional<String> user, Optional<Effect> effect) {
        return new DecisionFilter(Optional.of(T0), Optional.of(BULK), instance, user, effect, Optional.empty());
    }

    private static DecisionFilter limited(DecisionFilter f, int limit) {
        return new DecisionFilter(f.since(), f.until(), f.instance(), f.user(), f.effect(), Optional.of(limit));
    }
}
