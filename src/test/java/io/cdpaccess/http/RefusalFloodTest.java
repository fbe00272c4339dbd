package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of refused requests from one address cannot fill the disk, and is still accounted for
 * request by request in number: the first refusals of each minute are recorded one by one, the
 * rest in one summary row per minute, while every caller keeps getting its answer.
 */
class RefusalFloodTest {

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void refusalsBeyondTheLimitPerAddressAndMinuteAreCountedIntoOneRow() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:05Z"));
        int limit = DecisionLog.DEFAULT_REFUSALS_PER_ADDRESS_PER_MINUTE;
        int flood = limit + 40;
        try (ServiceUnderTest service =
                ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                        auth_failures:
                          max_delay: 0s
                        """), Map.of(), clock)) {
            for (int i = 0; i < flood; i++) {
                RedcapClient.Response r = redcap.call(
                        service.url("wrong-secret-0123456789-XYZ"), "alice", "42", ServiceUnderTest.PROD_URL);
                // unauthenticated, then rate-limited once past the allowance; answered at once (max_delay 0s)
                assertThat(r.status()).as("refusal %d", i).isEqualTo(404);
            }
            assertThat(decisions(service)).hasSize(limit);

            clock.advance(Duration.ofMinutes(1));
            List<DecisionRecord> all = awaitDecisions(service, limit + 1);
            assertThat(all.stream().filter(d -> !d.reason().equals("refusals-summarized")))
                    .hasSize(limit)
                    .allSatisfy(d -> assertThat(d.reason()).isIn("unauthenticated", "rate-limited"));
            DecisionRecord summary = all.stream()
                    .filter(d -> d.reason().equals("refusals-summarized"))
                    .findFirst()
                    .orElseThrow();
            assertThat(summary.detail())
                    .hasValueSatisfying(d -> assertThat(d)
                            .contains("40 refusals from 127.0.0.1 in the minute from 2026-12-01T10:00:00Z")
                            .contains("rate-limited 40")
                            .contains("statuses 404 40"));
        }
    }

    private static List<DecisionRecord> decisions(ServiceUnderTest service) throws Exception {
        return new DecisionQuery(service.app().database().dataSource()).list(DecisionFilter.all());
    }

    private static List<DecisionRecord> awaitDecisions(ServiceUnderTest service, int count) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<DecisionRecord> found = decisions(service);
        while (found.size() < count && System.nanoTime() < until) {
            Thread.sleep(100);
            found = decisions(service);
        }
        assertThat(found).hasSize(count);
        return found;
    }
}
