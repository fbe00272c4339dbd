package io.cdpaccess.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.config.AuthFailureLimit;
import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.testing.TestDatabases;
import io.cdpaccess.time.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request path without HTTP, on a real decider and a real decision log: what is answered is
 * what is on the record, an answer that cannot be recorded is a 503, and the deadline runs on one
 * pinned time base from the request's arrival.
 */
class UserAccessTest {

    private static final String SECRET = "prod-secret-0123456789-XYZ";
    private static final RedcapUrl URL = RedcapUrl.parse("https://redcap.example.edu/");
    private static final InstanceConfig PROD =
            new InstanceConfig("prod", Optional.of(URL), CallerSecret.parse(SECRET), List.of());
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private Database database;
    private DecisionLog decisionLog;
    private final Clock clock = Clock.fixed(NOW, java.time.ZoneOffset.UTC);
    /** Shared by every UserAccess a test builds, as one server's limiter is by all its requests. */
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(AuthFailureLimit.DEFAULT, clock);

    @BeforeEach
    void open() {
        database = TestDatabases.create(TestDatabases.Kind.SQLITE).open("user-access");
        decisionLog = new DecisionLog(database.dataSource(), clock);
    }

    @AfterEach
    void close() {
        decisionLog.close();
        database.close();
    }

    private UserAccess userAccess(Ticker ticker) throws Exception {
        CompiledPolicy policy = Policies.compile(Policies.defaultSpec());
        return userAccess(ticker, () -> policy);
    }

    private UserAccess userAccess(Ticker ticker, Supplier<CompiledPolicy> policy) {
        Grant alice = new Grant(
                "G1",
                "prod",
                "alice",
                OptionalLong.of(42),
                NOW.minusSeconds(60),
                Optional.empty(),
                NOW.minusSeconds(60),
                "test",
                "IRB-1",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        StoreSnapshot snapshot = new StoreSnapshot(1, List.of(alice), List.of(), List.of());
        Callers callers = new Callers(
                List.of(PROD),
                new CallerAddress(List.of()),
                new CallerGuard(List.of(PROD), limiter),
                limiter,
                List.of());
        return new UserAccess(
                () -> callers,
                new Decider(policy, () -> snapshot, clock),
                new RecordBeforeAnswer(decisionLog),
                clock,
                ticker,
                Duration.ofSeconds(5));
    }

    /** A REDCap call; {@code read} says whether the body was read. */
    private static Incoming post(String secret, String body, AtomicBoolean read) {
        return new Incoming(
                "POST",
                "10.0.0.5",
                List.of(),
                List.of(secret),
                List.of(),
                Optional.of("application/x-www-form-urlencoded"),
                false,
                Duration.ZERO,
                new Incoming.Body() {
                    @Override
                    public long declaredLength() {
                        return body.length();
                    }

                    @Override
                    public byte[] readAtMost(int limit) throws IOException {
                        read.set(true);
                        return body.getBytes(StandardCharsets.UTF_8);
                    }
                });
    }

    private static final String ALICE = "user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F";

    @Test
    void anAllowIsAnsweredOnlyOnceItIsOnTheRecord() throws Exception {
        Answered answered = userAccess(Ticker.system()).answer(post(SECRET, ALICE, new AtomicBoolean()));

        assertThat(answered.answer()).isEqualTo(Answer.ALLOW);
        DecisionRecord stored = new DecisionQuery(database.dataSource())
                .find(answered.record().decisionId())
                .orElseThrow();
        assertThat(stored)
                .usingRecursiveComparison()
                .ignoringFields("latencyMicros")
                .isEqualTo(answered.record());
        // The row's latency runs to its commit, which came after the decision was made.
        assertThat(stored.latencyMicros())
                .isGreaterThanOrEqualTo(answered.record().latencyMicros());
        assertThat(stored.effect()).isEqualTo(Effect.ALLOW);
        assertThat(stored.grantId()).contains("G1");
        assertThat(stored.explanation())
                .hasValueSatisfying(json -> assertThat(json)
                        .startsWith("{\"format\":" + Explanations.FORMAT + ",")
                        .contains("\"rule\":\"grant\""));
        // A later layout is refused by name rather than misread.
        String later = stored.explanation().orElseThrow().replaceFirst("\"format\":1", "\"format\":2");
        assertThatThrownBy(() -> Explanations.parse(later))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("explanation format 2 is newer");
        assertThat(Explanations.parse(stored.explanation().orElseThrow()).rule())
                .isEqualTo("grant");
    }

    @Test
    void anAllowThatCannotBeRecordedIsA503AndKeepsNoGrant() throws Exception {
        UserAccess access = userAccess(Ticker.system());
        decisionLog.close();

        Answered answered = access.answer(post(SECRET, ALICE, new AtomicBoolean()));

        assertThat(answered.answer()).isEqualTo(Answer.UNAVAILABLE);
        assertThat(answered.record().effect()).isEqualTo(Effect.ERROR);
        assertThat(answered.record().reason()).isEqualTo(Reason.LOG_UNAVAILABLE.code());
        assertThat(answered.record().detail())
                .hasValueSatisfying(d -> assertThat(d).endsWith("was allow/grant"));
        assertThat(answered.record().grantId()).isEmpty();
    }

    @Test
    void theDeadlineRunsOnThePinnedTickerFromArrival() throws Exception {
        // Every reading after the first is 10 s later: the request arrives, then time has run out.
        AtomicLong readings = new AtomicLong();
        Ticker pinned = () ->
                readings.getAndIncrement() == 0 ? 0 : Duration.ofSeconds(10).toNanos();

        Answered answered = userAccess(pinned).answer(post(SECRET, ALICE, new AtomicBoolean()));

        assertThat(answered.answer()).isEqualTo(Answer.UNAVAILABLE);
        assertThat(answered.record().reason()).isEqualTo(Reason.DEADLINE_EXCEEDED.code());
        assertThat(answered.record().latencyMicros()).isEqualTo(10_000_000);
        assertThat(answered.deadline().passed()).isTrue();
    }

    @Test
    void anErrorWhileDecidingIsA503RecordedWithWhoAskedWhat() {
        UserAccess access = userAccess(Ticker.system(), () -> {
            throw new OutOfMemoryError("Java heap space");
        });

        Answered answered = access.answer(post(SECRET, ALICE, new AtomicBoolean()));

        assertThat(answered.answer()).isEqualTo(Answer.UNAVAILABLE);
        DecisionRecord r = answered.record();
        assertThat(r.reason()).isEqualTo(Reason.INTERNAL_ERROR.code());
        assertThat(r.detail()).contains("OutOfMemoryError");
        assertThat(r.instance()).contains("prod");
        assertThat(r.user()).contains("alice");
        assertThat(r.normalizedUser()).contains("alice");
        assertThat(r.projectId()).contains("42");
        assertThat(r.callerIp()).isEqualTo("10.0.0.5");
    }

    @Test
    void aPeerAddressThatIsNotAnIpLiteralIsStillAnsweredAndRecorded() throws Exception {
        Incoming odd = post(SECRET, ALICE, new AtomicBoolean());
        Incoming fromNowhere = new Incoming(
                "POST",
                "unix:/run/socket",
                odd.forwardedFor(),
                odd.secrets(),
                odd.authorizations(),
                odd.contentType(),
                odd.refererSent(),
                odd.sinceFirstByte(),
                odd.body());

        Answered answered = userAccess(Ticker.system()).answer(fromNowhere);

        assertThat(answered.answer()).isEqualTo(Answer.UNAVAILABLE);
        assertThat(answered.record().reason()).isEqualTo(Reason.INTERNAL_ERROR.code());
        assertThat(answered.record().peerIp()).isEqualTo("-");
        assertThat(new DecisionQuery(database.dataSource())
                        .find(answered.record().decisionId()))
                .isPresent();
    }

    @Test
    void theBodyOfAnUnauthenticatedCallerIsNeverRead() throws Exception {
        AtomicBoolean read = new AtomicBoolean();

        Answered answered = userAccess(Ticker.system()).answer(post("wrong-secret-0123456789-XYZ", ALICE, read));

        assertThat(answered.answer()).isEqualTo(Answer.REFUSED);
        assertThat(answered.record().effect()).isEqualTo(Effect.REJECTED);
        assertThat(answered.record().reason()).isEqualTo(Reason.UNAUTHENTICATED.code());
        assertThat(answered.record().user()).isEmpty();
        assertThat(read).isFalse();
    }

    @Test
    void aSlowedCallerIsStillAnsweredWithinTheRequestsDeadline() throws Exception {
        // Every reading after the first is 2 s later: 3 s of the 5 s budget are left when it is refused.
        AtomicLong readings = new AtomicLong();
        Ticker twoSecondsIn = () ->
                readings.getAndIncrement() == 0 ? 0 : Duration.ofSeconds(2).toNanos();
        UserAccess access = userAccess(Ticker.system());
        for (int i = 0; i < AuthFailureLimit.DEFAULT.failures(); i++) {
            assertThat(access.answer(post("wrong-secret-0123456789-XYZ", ALICE, new AtomicBoolean()))
                            .holdBack())
                    .isZero();
        }

        Answered slowed =
                userAccess(twoSecondsIn).answer(post("wrong-secret-0123456789-XYZ", ALICE, new AtomicBoolean()));

        // Its turn would be 5 s away (max_delay), but no answer outlasts the deadline.
        assertThat(slowed.answer()).isEqualTo(Answer.REFUSED);
        assertThat(slowed.record().reason()).isEqualTo(Reason.RATE_LIMITED.code());
        assertThat(slowed.holdBack()).isEqualTo(Duration.ofSeconds(3));
        assertThat(slowed.record().detail())
                .contains("unauthenticated, beyond the allowance of failures: held back up to 3000 ms");
    }
}
