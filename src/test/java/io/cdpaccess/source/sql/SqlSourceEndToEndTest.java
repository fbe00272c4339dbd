package io.cdpaccess.source.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sql source end to end: REDCap's call through the real listener, decided over a real
 * PostgreSQL; the database cut off (no {@code 1} without facts: a 503 {@code 0} whose
 * explanation names the failing source, within the deadline), then back.
 */
class SqlSourceEndToEndTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-12-01T18:00:00Z"));
    final RedcapClient redcap = new RedcapClient();

    static String config(TestDatabase db) {
        return ServiceUnderTest.prodConfig(
                """
                zone: America/Chicago
                deadline: 2s
                sources:
                  - name: ctms
                    type: sql
                    url: %s
                    user: %s
                    password: ${CTMS_PASSWORD}
                    query: SELECT active FROM study_staff WHERE username = :user
                    columns: {active: bool}
                    pool_size: 2
                    timeout: 1s
                    cache: {found: 1m, not_found: 1m, stale_if_error: 0s}
                policy:
                  rules:
                    - {name: not-staff, effect: deny, when: "!ctms.found"}
                    - {name: staff, effect: allow, when: ctms.found && ctms.active}
                """.formatted(db.config().url(), db.config().user()));
    }

    @Test
    void aDatabaseCutOffDeniesNamingTheSourceAndTheSourceIsHeardAgainWhenBack() throws Exception {
        TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        SqlSourceContract.execute(
                db,
                "CREATE TABLE study_staff (username VARCHAR(100), active BOOLEAN)",
                "INSERT INTO study_staff VALUES ('alice', TRUE)");
        Map<String, String> env = Map.of("CTMS_PASSWORD", db.config().password().reveal());
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, config(db), env, clock)) {
            String url = service.url(ServiceUnderTest.PROD_SECRET);
            assertThat(answer(service, url, "alice")).isEqualTo("200 1 staff");
            assertThat(answer(service, url, "bob")).isEqualTo("200 0 not-staff");

            TestDatabase.Outage outage = db.cutOff();
            clock.advance(Duration.ofMinutes(2)); // past cache.found; no stale answer stands in
            RedcapClient.Response down = timed(() -> call(url, "alice"));
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("0");
            assertThat(down.header("X-Decision-Reason")).isEqualTo("fact-error");
            DecisionRecord record =
                    service.decision(down.header("X-Decision-Id")).orElseThrow();
            assertThat(record.explanation())
                    .hasValueSatisfying(e -> assertThat(e)
                            .as("the explanation names the source that failed, and how")
                            .contains("\"sources\":{\"ctms\":{")
                            .containsPattern("\"outcome\":\"(error|timeout)\",\"error\":\"[^\"]+\"")
                            .doesNotContain(db.config().password().reveal()));

            outage.close();
            clock.advance(Duration.ofSeconds(11)); // past the breaker's open period, if it opened
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String back;
            do {
                back = answer(service, url, "alice");
                clock.advance(Duration.ofSeconds(11));
            } while (!back.equals("200 1 staff") && System.nanoTime() < until);
            assertThat(back).isEqualTo("200 1 staff");
        }
    }

    private RedcapClient.Response call(String url, String user) {
        return redcap.call(url, user, "42", ServiceUnderTest.PROD_URL);
    }

    private String answer(ServiceUnderTest service, String url, String user) {
        RedcapClient.Response r = timed(() -> call(url, user));
        return r.status() + " " + r.body() + " " + r.header("X-Decision-Reason");
    }

    /** The call, answered within the 2 s deadline (with room for the client). */
    private static RedcapClient.Response timed(java.util.function.Supplier<RedcapClient.Response> call) {
        long start = System.nanoTime();
        RedcapClient.Response r = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        assertThat(r.status()).as("an answer, not a dropped connection").isPositive();
        return r;
    }
}
