package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send their request a byte at a time hold no server thread and cannot make REDCap's
 * own calls wait: their bodies are received without a thread, and the whole exchange is bounded
 * by the deadline from its first byte. (The finding: 260 such connections held all 250 threads,
 * and legitimate calls waited 17–27 s.)
 */
class SlowClientsTest {

    static final int SLOW = 500;
    static final String SECRET = ServiceUnderTest.PROD_SECRET;
    static final String URL = ServiceUnderTest.PROD_URL;

    @TempDir
    Path dir;

    @Test
    void fiveHundredByteAtATimeClientsNeitherStarveRedcapNorOutlastTheDeadline() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("deadline: 20s\n"))) {
            service.grant("prod", "alice", 42, Optional.empty());
            byte[] body = UserAccessEndpointTest.form("alice", "42", URL);
            byte[] head = ("POST /user-access?secret=" + SECRET + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            List<Socket> slow = new ArrayList<>();
            try {
                long opened = System.nanoTime();
                for (int i = 0; i < SLOW; i++) {
                    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), service.port());
                    s.setSoTimeout(60_000);
                    OutputStream out = s.getOutputStream();
                    out.write(head);
                    out.write(body, 0, 1); // the body's first byte; the rest trickles in below
                    out.flush();
                    slow.add(s);
                }
                Thread trickle = new Thread(() -> trickle(slow, body), "slow-clients");
                trickle.setDaemon(true);
                trickle.start();

                RedcapClient.Response redcap = new RedcapClient().call(service.url(SECRET), "alice", "42", URL);

                assertThat(redcap.status()).isEqualTo(200);
                assertThat(redcap.body()).isEqualTo("1");
                // Answered while every slow client was still sending: no slow one had its answer yet.
                for (Socket s : slow) {
                    assertThat(s.getInputStream().available()).isZero();
                }
                assertThat(java.time.Duration.ofNanos(System.nanoTime() - opened))
                        .as("the check above ran before the slow clients were cut off")
                        .isLessThan(java.time.Duration.ofSeconds(15));

                // Each slow exchange ends at its deadline from the first byte, never with a 1.
                Pattern decisionId = Pattern.compile("(?i)x-decision-id: (\\S+)");
                for (Socket s : slow.subList(0, 20)) {
                    String answer = readAll(s.getInputStream());
                    assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n0");
                    Matcher id = decisionId.matcher(answer);
                    assertThat(id.find()).isTrue();
                    DecisionRecord record = service.decision(id.group(1)).orElseThrow();
                    assertThat(record.reason()).isEqualTo("bad-request");
                    assertThat(record.detail())
                            .hasValueSatisfying(
                                    d -> assertThat(d).contains("did not arrive whole within the deadline"));
                    // cut off three quarters into the 20 s deadline, answered and recorded within it
                    assertThat(record.latencyMicros())
                            .isBetween(TimeUnit.SECONDS.toMicros(15), TimeUnit.SECONDS.toMicros(20));
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    /** One more byte to every slow client each second, so that none finishes within a minute. */
    private static void trickle(List<Socket> slow, byte[] body) {
        try {
            for (int next = 1; next < body.length; next++) {
                Thread.sleep(1_000);
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write(body, next, 1);
                        s.getOutputStream().flush();
                    } catch (IOException closed) {
                        // answered at its deadline and closed by the server: nothing more to send
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
