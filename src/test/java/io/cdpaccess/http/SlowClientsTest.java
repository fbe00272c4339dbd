package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.Tricklers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.assertj.core.api.InstanceOfAssertFactories;
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
    /** Late by at most this: the machine is shared, 500 connections are closed at once. */
    static final Duration TOLERANCE = Duration.ofMillis(2_500);
    /** A byte every half second: far inside the idle timeout. */
    static final Duration TRICKLE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void fiveHundredByteAtATimeClientsNeitherStarveRedcapNorOutlastTheDeadline() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("deadline: 20s\n"))) {
            service.grant("prod", "alice", 42, Optional.empty());
            byte[] body = UserAccessEndpointTest.form("alice", "42", URL);
            byte[] head = head(body, "Connection: close\r\n");
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
                assertThat(Duration.ofNanos(System.nanoTime() - opened))
                        .as("the check above ran before the slow clients were cut off")
                        .isLessThan(Duration.ofSeconds(15));

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

    @Test
    void fiveHundredClientsTricklingTheirHeadsAreClosedAtTheBoundFromTheirFirstByteWhileRedcapIsAnswered()
            throws Exception {
        // deadline 10 s: a head must be in 7.5 s after its first byte (opening 500 connections here
        // took up to 4.2 s); idle connections close after 11 s
        Duration bound = Duration.ofMillis(7_500);
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("deadline: 10s\n"));
                CapturedLog warnings = CapturedLog.of(HeadDeadline.class)) {
            service.grant("prod", "alice", 42, Optional.empty());
            byte[] head = paddedHead(); // at two bytes a second it would take minutes to arrive
            List<Duration> lived;
            try (Tricklers slow = Tricklers.start(address(service), SLOW, head, TRICKLE)) {
                long asked = System.nanoTime();
                RedcapClient.Response redcap = new RedcapClient().call(service.url(SECRET), "alice", "42", URL);
                Duration took = Duration.ofNanos(System.nanoTime() - asked);

                assertThat(redcap.status()).isEqualTo(200);
                assertThat(redcap.body()).isEqualTo("1");
                assertThat(took).as("REDCap's call, among 500 trickling heads").isLessThan(Duration.ofSeconds(2));
                assertThat(slow.closedSoFar())
                        .as("answered before any slow head was cut off")
                        .isZero();

                lived = slow.awaitAllClosed(Duration.ofSeconds(30));
                for (int i = 0; i < SLOW; i++) {
                    assertThat(slow.received(i)).as("closed without an answer").isZero();
                }
            }
            assertThat(lived).allSatisfy(d -> assertThat(d).isBetween(bound, bound.plus(TOLERANCE)));
            assertThat(service.scrape().count("cdp_access_slow_heads_closed_total"))
                    .isEqualTo((double) SLOW);
            // One line for the lot, naming the bound and no client text
            assertThat(warnings.at(Level.WARN))
                    .singleElement(as(InstanceOfAssertFactories.STRING))
                    .contains("within 7500ms of its first byte")
                    .contains("cdp_access_slow_heads_closed_total")
                    .doesNotContain("X-Padding");
        }
    }

    @Test
    void onAKeptAliveConnectionTheNextRequestsHeadIsBoundedFromItsOwnFirstByte() throws Exception {
        Duration bound = Duration.ofSeconds(3); // three quarters of the 4 s deadline; idle timeout 5 s
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("deadline: 4s\n"))) {
            service.grant("prod", "alice", 42, Optional.empty());
            byte[] body = UserAccessEndpointTest.form("alice", "42", URL);
            SocketChannel connection = SocketChannel.open(address(service));
            try {
                connection.write(ByteBuffer.wrap(concat(head(body, ""), body)));
                assertThat(readOneResponse(connection))
                        .startsWith("HTTP/1.1 200")
                        .endsWith("\r\n\r\n1");
                // Idle between requests for longer than the bound: that is the idle timeout's business.
                Thread.sleep(bound.plusMillis(500).toMillis());
            } catch (IOException | RuntimeException | InterruptedException e) {
                connection.close();
                throw e;
            }
            try (Tricklers second = Tricklers.on(List.of(connection), paddedHead(), TRICKLE)) {
                assertThat(second.awaitAllClosed(Duration.ofSeconds(20)))
                        .singleElement()
                        .satisfies(d -> assertThat(d).isBetween(bound, bound.plus(TOLERANCE)));
                assertThat(second.received(0)).isZero();
            }
        }
    }

    @Test
    void overTlsTheBoundCountsFromTheHandshakesFirstByte() throws Exception {
        // deadline 8 s: handshake and head must be in 6 s after the first byte; idle ones close after 9 s
        Duration bound = Duration.ofSeconds(6);
        String yaml = ServiceUnderTest.prodConfig("deadline: 8s\ntls:\n  self_signed:\n    hosts: [127.0.0.1]\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml)) {
            service.grant("prod", "alice", 42, Optional.empty());
            SSLContext tls = RedcapClient.trustingAnyCertificate();
            try (Tricklers handshakes = Tricklers.start(address(service), 50, clientHello(tls), TRICKLE);
                    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", service.port())) {
                socket.setSoTimeout(20_000);
                long firstByte = System.nanoTime();
                socket.startHandshake();
                // Quiet after the handshake for 4 s (inside the idle timeout), then a head a byte at a time.
                Thread.sleep(4_000);
                Thread trickle = new Thread(() -> trickle(socket, paddedHead()), "slow-head-over-tls");
                trickle.setDaemon(true);
                trickle.start();

                assertThat(new RedcapClient().userAccess(service.url(SECRET), "alice", 42, URL))
                        .as("REDCap's call over TLS meanwhile")
                        .isEqualTo("1");
                assertThat(readAll(socket)).as("closed without an answer").isEmpty();
                // 6 s after the handshake began, not 6 s after the head's first byte (that would be 10 s)
                assertThat(Duration.ofNanos(System.nanoTime() - firstByte)).isBetween(bound, bound.plus(TOLERANCE));
                assertThat(handshakes.awaitAllClosed(Duration.ofSeconds(30)))
                        .allSatisfy(d -> assertThat(d).isBetween(bound, bound.plus(TOLERANCE)));
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

    /** A REDCap-shaped request head for {@code body}, with any further header lines. */
    private static byte[] head(byte[] body, String moreHeaders) {
        return ("POST /user-access?secret=" + SECRET + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                        + "\r\n" + moreHeaders + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A head long enough that two bytes a second take minutes to send it. */
    private static byte[] paddedHead() {
        return head(new byte[0], "X-Padding: " + "a".repeat(300) + "\r\n");
    }

    /** The first flight a TLS client sends: its ClientHello. */
    private static byte[] clientHello(SSLContext tls) throws IOException {
        SSLEngine engine = tls.createSSLEngine("127.0.0.1", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    private static void trickle(Socket socket, byte[] bytes) {
        try {
            for (byte b : bytes) {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                Thread.sleep(TRICKLE.toMillis());
            }
        } catch (IOException closed) {
            // the server closed the connection: nothing more to send
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the server sent until it closed the connection (a reset counts as closed). */
    private static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(got);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException closed) {
            // reset or TLS failure on closing: closed all the same
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** One response with a Content-Length on a connection kept open. */
    private static String readOneResponse(SocketChannel channel) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                if (length.find() && text.length() >= headEnd + 4 + Integer.parseInt(length.group(1))) {
                    return text;
                }
            }
            buffer.clear();
            if (channel.read(buffer) < 0) {
                return text;
            }
            got.write(buffer.array(), 0, buffer.position());
        }
    }

    private static InetSocketAddress address(ServiceUnderTest service) throws IOException {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), service.port());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
