package io.cdpaccess.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cdpaccess.time.Ticker;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The doctor against User Access services that are not cdp-access (no decision headers, other
 * statuses, chunked bodies, redirect loops): REDCap's own rule decides what it reports.
 */
class DoctorAgainstOtherServicesTest {

    /** What a stub service does with each request. */
    private interface Answering {
        void answer(HttpExchange exchange) throws IOException;
    }

    private static List<String> examine(Answering answering, Optional<Sample> sample) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                answering.answer(exchange);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/access?secret=s3cr3t-value";
            Report report = new Doctor(Clock.systemUTC(), Ticker.system()).examine(url, sample);
            List<String> lines = new java.util.ArrayList<>(
                    report.findings().stream().map(Finding::line).toList());
            lines.add("store " + report.redcapWouldStore() + " works " + report.works());
            assertThat(String.join("\n", lines)).doesNotContain("s3cr3t-value");
            return lines;
        } finally {
            server.stop(0);
        }
    }

    private static Answering status(int status, String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    private static final Optional<Sample> ALICE = Optional.of(new Sample("alice", "42", "https://redcap.example.edu"));

    @Test
    void aServiceAnsweringOneToTheEmptyPostWouldLetAnyoneThrough() throws IOException {
        List<String> lines = examine(
                exchange -> {
                    // chunked (length 0 in this server): the body is read the way cURL reads it
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write("1\n".getBytes(StandardCharsets.UTF_8));
                    }
                },
                ALICE);

        assertThat(lines)
                .contains("problem: the service answers 1 to an empty POST (no user, no project): it would let anyone"
                        + " through; it must answer 0")
                .contains("ok: the service allows alice in project 42")
                .anyMatch(l -> l.startsWith("info: REDCap sends its base URL with a trailing slash"))
                .endsWith("store 1 works false");
    }

    @Test
    void withoutDecisionHeadersA403IsTakenForAWrongSecret() throws IOException {
        assertThat(examine(status(403, "0"), ALICE))
                .contains("problem: answered 403: most likely a wrong or missing secret: the secret in the URL is"
                        + " wrong or missing; paste the URL with the instance's secret (cdp-access serve prints it on"
                        + " its first run)")
                .endsWith("store 0 works false");
    }

    @Test
    void aServiceThatCannotDecideFailsTheCall() throws IOException {
        assertThat(examine(status(503, "0"), ALICE))
                .anyMatch(l -> l.startsWith("problem: the Test button's empty POST failed (503 \"0\")"))
                .anyMatch(l -> l.startsWith("problem: the sample call failed (503 \"0\"): REDCap would deny alice"))
                .anyMatch(l -> l.contains("the DDP Test button would show an error"));
    }

    @Test
    void anAnswerThatIsNotADecisionIsNamed() throws IOException {
        assertThat(examine(status(200, "<html>\u0007maybe</html>"), ALICE))
                .anyMatch(l -> l.startsWith(
                        "problem: the Test button's empty POST was answered 200 \"<html>?maybe</html>\": a working"))
                .anyMatch(l -> l.startsWith("problem: the sample was answered 200"));
    }

    @Test
    void aRefusalByReasonIsExplained() throws IOException {
        assertThat(examine(
                        exchange -> {
                            exchange.getResponseHeaders().add("X-Decision-Id", "01TEST");
                            exchange.getResponseHeaders().add("X-Decision-Reason", "address-not-allowed");
                            status(404, "0").answer(exchange);
                        },
                        Optional.empty()))
                .anyMatch(l -> l.startsWith("problem: the service does not accept calls from this host's address"))
                .endsWith("store 0 works false");
    }

    @Test
    void aRedirectLoopEndsAfterTenRedirectsAsCurlDoes() throws IOException {
        assertThat(examine(
                        exchange -> {
                            exchange.getResponseHeaders().add("Location", "/again?secret=s3cr3t-value");
                            exchange.sendResponseHeaders(308, -1);
                        },
                        Optional.empty()))
                .contains("problem: more than 10 redirects: cURL gives up and the call fails")
                .endsWith("store 0 works false");
    }

    @Test
    void theTrustManagerChecksServersOnlyAndOnlyOnAConnection() {
        LeafAnchoredTrustManager trust = new LeafAnchoredTrustManager();
        X509Certificate[] none = new X509Certificate[0];
        assertThat(trust.getAcceptedIssuers()).isEmpty();
        assertThatThrownBy(() -> trust.checkServerTrusted(none, "RSA")).isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkClientTrusted(none, "RSA")).isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkClientTrusted(none, "RSA", (java.net.Socket) null))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkClientTrusted(none, "RSA", (javax.net.ssl.SSLEngine) null))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkServerTrusted(none, "RSA", (javax.net.ssl.SSLEngine) null))
                .hasMessageContaining("no certificate");
        assertThat(trust.presented()).isEmpty();
    }
}
