package io.cdpaccess.http;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the decision path once over before the service says it is ready, so that the first
 * researcher does not wait for the JIT, CEL's first evaluation, the first TLS handshake and the
 * first write (243–659 ms measured, against a few ms later). A synthetic request goes through
 * the parser, the policy and the {@link Decider}; its record is written in a transaction that is
 * rolled back, so no warm-up row is ever on the record; and {@code GET /health/live} is fetched
 * from the service's own listener, over TLS when it speaks TLS. Bounded by a budget well under
 * the 2 s readiness allows, and never fatal: a warm-up that fails only leaves the service cold.
 */
public final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    /** The warm-up's user: a name no directory has, should a rule look it up. */
    static final String USER = "cdp-access-warm-up";

    private static final int DECISIONS = 300;

    private WarmUp() {}

    /**
     * Warms up; returns how long it took.
     *
     * @param instance the instance the synthetic request comes from
     * @param host the listener's address (the loopback address when it listens on every interface)
     */
    public static Duration run(
            Decider decider,
            DecisionLog decisionLog,
            InstanceConfig instance,
            String host,
            int port,
            boolean https,
            Clock clock,
            Duration budget) {
        Ticker ticker = Ticker.system();
        Deadline warmUp = Deadline.start(ticker, budget);
        try {
            RedcapUrl url = instance.redcapUrl().orElse(RedcapUrl.parse("https://warm-up.invalid/"));
            byte[] body = ("user=" + USER + "&project_id=1&redcap_url="
                            + URLEncoder.encode(url.value(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            Decision decision = null;
            for (int i = 0; i < DECISIONS && warmUp.remaining().compareTo(budget.dividedBy(2)) > 0; i++) {
                ParsedBody parsed = RequestParser.parse(body, "application/x-www-form-urlencoded");
                AccessRequest request = ((ParsedBody.Valid) parsed).request();
                Decision decided = decider.decide(
                        instance, request, Optional.of("127.0.0.1"), Deadline.start(ticker, Duration.ofSeconds(5)));
                decided.explanation().ifPresent(e -> Explanations.toJson(e, decided.sources()));
                decision = decided;
            }
            if (decision != null) {
                decisionLog.rehearse(record(decision, instance, url, clock));
            }
            fetchLive(host, port, https, warmUp);
        } catch (Exception | LinkageError e) {
            log.info("warm-up incomplete ({}); the first answers may be slower", e.toString());
        }
        return Duration.ofNanos(warmUp.elapsedNanos());
    }

    private static DecisionRecord record(Decision decision, InstanceConfig instance, RedcapUrl url, Clock clock) {
        return new DecisionRecord(
                Ids.next(clock),
                clock.instant(),
                Optional.of(instance.name()),
                Optional.of(USER),
                Optional.of(USER),
                Optional.of("1"),
                Optional.of(url.value()),
                "127.0.0.1",
                "127.0.0.1",
                decision.effect(),
                decision.reason(),
                Optional.ofNullable(decision.detail()),
                200,
                0,
                decision.grantId(),
                decision.explanation().map(PolicyResult::policyVersion),
                decision.explanation().map(e -> Explanations.toJson(e, decision.sources())));
    }

    /** One request through Jetty, TLS handshake included; the answer is read and dropped. */
    private static void fetchLive(String host, int port, boolean https, Deadline warmUp)
            throws IOException, GeneralSecurityException {
        int timeoutMs = (int) Math.max(100, warmUp.remaining().toMillis());
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), timeoutMs);
            plain.setSoTimeout(timeoutMs);
            Socket socket = plain;
            if (https) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new OwnCertificate()}, null);
                socket = context.getSocketFactory().createSocket(plain, host, port, true);
                ((SSLSocket) socket).startHandshake();
            }
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health/live HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            while (in.read(buffer) >= 0) {
                // drain until the server closes
            }
            socket.close();
        }
    }

    /**
     * Accepts the certificate of the connection the warm-up opens to this very process: nothing
     * is sent over it but a health check, and the point is the handshake, not whom it reaches.
     */
    private static final class OwnCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
