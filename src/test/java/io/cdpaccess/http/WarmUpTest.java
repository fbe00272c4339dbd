package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up at start leaves no trace on the record, and the service is ready when start
 * returns. How much faster the first answer is, is measured in {@code bench/first-answer.sh}:
 * a latency ratio is too noisy on a shared 2-core machine to assert here.
 */
class WarmUpTest {

    @TempDir
    Path dir;

    @Test
    void theWarmUpWritesNoRowAndTheServiceIsReadyWhenStartReturns() throws Exception {
        long started = System.nanoTime();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig(""))) {
            long startMillis = (System.nanoTime() - started) / 1_000_000;
            RedcapClient redcap = new RedcapClient();
            assertThat(redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                            .status())
                    .isEqualTo(200);
            assertThat(rows(service)).isZero();

            service.grant("prod", "alice", 42, Optional.empty());
            assertThat(redcap.userAccess(
                            service.url(ServiceUnderTest.PROD_SECRET), "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(rows(service)).isEqualTo(1); // the researcher's, and only it
            System.out.println("start to ready: " + startMillis + " ms");
        }
    }

    @Test
    void overTlsTheWarmUpShakesHandsWithTheOwnListenerAndStillWritesNoRow() throws Exception {
        String yaml = ServiceUnderTest.prodConfig("tls:\n  self_signed:\n    hosts: [127.0.0.1]\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml)) {
            assertThat(service.app().https()).isTrue();
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
