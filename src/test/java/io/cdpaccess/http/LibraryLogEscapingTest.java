package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.ServiceUnderTest;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Jetty's own warnings carry text a client chose: a bad {@code Host} header is logged as
 * {@code Bad port [...]} with its bytes read as ISO-8859-1, so 0x9B (CSI, a terminal's escape
 * sequence introducer), 0x85 (NEL, a line break) and the 0x80 inside the UTF-8 of U+202E reach
 * the log as C1 controls. Written through the service's own log configuration, they come out
 * escaped as decision lines escape them; printable Latin-1 ({@code â}, {@code ®}) stays as it is.
 */
class LibraryLogEscapingTest {

    @TempDir
    Path dir;

    @Test
    void jettysWarningAboutABadHostHeaderIsWrittenEscaped() throws Exception {
        // Host: a:1<CSI>31m<NEL>2<RLO>  (a bad port, so Jetty's HostPort warns with it)
        byte[] host = {
            'a', ':', '1', (byte) 0x9B, '3', '1', 'm', (byte) 0x85, '2', (byte) 0xE2, (byte) 0x80, (byte) 0xAE
        };
        List<String> lines;
        try (CapturedLog log = CapturedLog.named("org.eclipse.jetty");
                ServiceUnderTest service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig(""))) {
            RawHttp.Response response =
                    RawHttp.send(null, InetAddress.getLoopbackAddress(), service.port(), requestWithHost(host), 5_000);
            assertThat(response.status()).isEqualTo(400);
            lines = log.events().stream().map(LibraryLogEscapingTest::asWritten).toList();
        }

        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains("WARN  HostPort - Bad port [1\\u009b31m\\u00852\u00e2\\u0080\u00ae]"));
        assertThat(String.join("", lines).codePoints())
                .as("no control or format character written raw")
                .noneMatch(c -> c != '\n' && (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT));
    }

    @Test
    void anExceptionsMessageIsEscapedAndItsStackTraceKeepsItsLines() {
        Logger jetty = (Logger) LoggerFactory.getLogger("org.eclipse.jetty.server.Test");
        try (CapturedLog log = CapturedLog.named("org.eclipse.jetty")) {
            jetty.warn(
                    "handling failed",
                    new IllegalStateException("bad \u202e\r\nforged", new RuntimeException("x\u001b[2J")));
            String written = asWritten(log.events().get(0));

            assertThat(written).contains("java.lang.IllegalStateException: bad \\u202e\\r\\nforged");
            assertThat(written).contains("Caused by: java.lang.RuntimeException: x\\u001b[2J");
            assertThat(written.lines().filter(l -> l.strip().startsWith("at ")).count())
                    .isGreaterThan(2);
            assertThat(written.lines()).noneMatch(l -> l.startsWith("forged"));
        }
    }

    /** The event as the service's configured standard-error appender encodes it. */
    private static String asWritten(ILoggingEvent event) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        Encoder<ILoggingEvent> encoder =
                ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDERR")).getEncoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(encoder.encode(event));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] requestWithHost(byte[] host) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("POST /user-access HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(host);
        out.writeBytes(("\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n"
                        + "Connection: close\r\n\r\nuser")
                .getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
