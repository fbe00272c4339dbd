package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.Scrape;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up at start rehearses REDCap's call through the listener and leaves no trace on the
 * record — no row, no count, no decision line — and the service is ready when start returns.
 * How much faster the first answer is, is measured in {@code bench/first-answer.sh}: a latency
 * ratio is too noisy on a shared 2-core machine to assert here.
 */
class WarmUpTest {

    @TempDir
    Path dir;

    @Test
    void theWarmUpWritesNoRowAndTheServiceIsReadyWhenStartReturns() throws Exception {
        long started = System.nanoTime();
        try (CapturedLog decisionLines = CapturedLog.named("cdp-access.decision");
                ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig(""))) {
            long startMillis = (System.nanoTime() - started) / 1_000_000;
            RedcapClient redcap = new RedcapClient();
            assertThat(redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                            .status())
                    .isEqualTo(200);
            // Every rehearsal went through the listener and was answered; none left a trace.
            assertThat(service.app().warmUp().rehearsed())
                    .isBetween(1, WarmUp.REHEARSALS); // fewer only if the budget ran out
            assertThat(service.app().warmUp().incomplete()).isEmpty();
            assertThat(rows(service)).isZero();
            assertThat(decisionLines.events()).isEmpty();
            Scrape scrape = service.scrape();
            assertThat(scrape.sum("cdp_access_decisions_total")).isZero();
            assertThat(scrape.sum("cdp_access_requests_rejected_total")).isZero();
            assertThat(scrape.sum("cdp_access_decision_log_rows_total")).isZero();

            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(redcap.userAccess(
                            service.url(ServiceUnderTest.PROD_SECRET), "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(rows(service)).isEqualTo(1); // the researcher's, and only it
            assertThat(decisionLines.events()).hasSize(1);
            assertThat(service.scrape().sum("cdp_access_decisions_total")).isEqualTo(1);
            System.out.println("start to ready: " + startMillis + " ms");
        }
    }

    @Test
    void theRehearsalsHaveTheirOwnCallerSoAHashedSecretAndAClosedAddressListDoNotStopThem() throws Exception {
        // The configured secret is only a hash and no loopback address may call: the warm-up could
        // not present the one nor come from the other, and still rehearses the whole call.
        String yaml = ServiceUnderTest.prodConfig("")
                .replace(
                        "secret: " + ServiceUnderTest.PROD_SECRET,
                        "secret: " + CallerSecret.hashed(ServiceUnderTest.PROD_SECRET)
                                + "\n    allow_from: [10.0.0.0/8]");
        assertThat(yaml).contains("sha256:").contains("allow_from");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml)) {
            assertThat(service.app().warmUp().rehearsed())
                    .isBetween(1, WarmUp.REHEARSALS); // fewer only if the budget ran out
            assertThat(rows(service)).isZero();
            // The rehearsals' caller is not one the network has: the real secret from loopback is
            // still refused by allow_from, and recorded.
            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(new RedcapClient()
                            .userAccess(
                                    service.url(ServiceUnderTest.PROD_SECRET), "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("0");
            assertThat(rows(service)).isEqualTo(1);
        }
    }

    @Test
    void overTlsTheWarmUpShakesHandsWithTheOwnListenerAndStillWritesNoRow() throws Exception {
        String yaml = ServiceUnderTest.prodConfig("tls:\n  self_signed:\n    hosts: [127.0.0.1]\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml)) {
            assertThat(service.app().https()).isTrue();
            assertThat(service.app().warmUp().rehearsed())
                    .isBetween(1, WarmUp.REHEARSALS); // fewer only if the budget ran out
            assertThat(service.app().warmUp().incomplete()).isEmpty();
            assertThat(rows(service)).isZero();
        }
    }

    private static long rows(ServiceUnderTest service) throws Exception {
        try (Connection c = service.app().database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM decisions")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
