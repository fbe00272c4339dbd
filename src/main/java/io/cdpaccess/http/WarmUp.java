package io.cdpaccess.http;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.ops.LogText;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RedcapUrl;
import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.StoreSnapshot;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the decision path over before the service says it is ready, so that the first researcher
 * does not wait for the JIT, CEL's first evaluation, the first TLS handshake and the first write
 * (243–659 ms measured, against a few ms later). First synthetic requests go straight through the
 * parser, the policy and the {@link Decider}; then REDCap's call itself is rehearsed through the
 * listener's own handlers over an in-process connector ({@link Rehearsals}) — body received, caller
 * checked, decided, its record written in a transaction rolled back, answer written and counted
 * on meters nobody reads — so no warm-up row, count or decision line is ever on the record; last
 * {@code GET /health/live} is fetched over the network from the service's own listener, over TLS
 * when it speaks TLS, for the accept and the handshake. Bounded by a budget well under the 2 s
 * readiness allows, and never fatal: a warm-up that fails only leaves the service cold. The
 * rehearsals end with it, for good.
 */
public final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    /**
     * The warm-up's users: names no directory has, should a rule look them up. The rehearsals'
     * store ({@link #store}) grants the first, so that both an allow and a deny are rehearsed.
     */
    static final String USER = "cdp-access-warm-up";

    static final String REFUSED_USER = "cdp-access-warm-up-refused";

    static final long PROJECT = 1;

    private static final int DECISIONS = 200;

    static final int REHEARSALS = 20;

    private WarmUp() {}

    /**
     * How the warm-up went.
     *
     * @param rehearsed how many rehearsals of REDCap's call were answered 200
     * @param incomplete why it stopped early, if it did (the service then starts cold)
     */
    public record Report(Duration took, int rehearsed, Optional<String> incomplete) {}

    /**
     * The store as the rehearsals see it: one grant, {@link #USER} on {@link #PROJECT} of
     * {@code instance}, in force since {@code now}. Never the service's store: nothing of it is
     * written, and no real request is decided with it.
     */
    public static StoreSnapshot store(String instance, Instant now) {
        Grant grant = new Grant(
                "warm-up",
                instance,
                USER,
                OptionalLong.of(PROJECT),
                now,
                Optional.empty(),
                now,
                "cdp-access warm-up",
                "warm-up",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        return new StoreSnapshot(0, List.of(grant), List.of(), List.of());
    }

    /**
     * Warms up and ends the listener's rehearsals.
     *
     * @param rehearsal the rehearsals' instance and secret, as given to the listener
     * @param host the listener's address (the loopback address when it listens on every interface)
     */
    public static Report run(Rehearsal rehearsal, RedcapListener listener, String host, Duration budget) {
        Ticker ticker = Ticker.system();
        Deadline warmUp = Deadline.start(ticker, budget);
        InstanceConfig instance = rehearsal.instance();
        int rehearsed = 0;
        Optional<String> incomplete = Optional.empty();
        try {
            RedcapUrl url = instance.redcapUrl().orElse(RedcapUrl.parse("https://warm-up.invalid/"));
            String rest =
                    "&project_id=" + PROJECT + "&redcap_url=" + URLEncoder.encode(url.value(), StandardCharsets.UTF_8);
            String form = "user=" + USER + rest;
            byte[] body = form.getBytes(StandardCharsets.UTF_8);
            Duration half = budget.dividedBy(2);
            for (int i = 0; i < DECISIONS && warmUp.remaining().compareTo(half) > 0; i++) {
                ParsedBody parsed = RequestParser.parse(body, "application/x-www-form-urlencoded");
                AccessRequest request = ((ParsedBody.Valid) parsed).request();
                Decision unused = rehearsal
                        .decider()
                        .decide(
                                instance,
                                request,
                                Optional.of("127.0.0.1"),
                                Deadline.start(ticker, Duration.ofSeconds(5)));
            }
            List<String> calls =
                    List.of(call(rehearsal, host, form), call(rehearsal, host, "user=" + REFUSED_USER + rest));
            Duration quarter = budget.dividedBy(4);
            for (int i = 0; i < REHEARSALS && warmUp.remaining().compareTo(quarter) > 0; i++) {
                String answer = listener.rehearse(calls.get(i % calls.size()), warmUp.remaining());
                if (answer.startsWith("HTTP/1.1 200 ")) {
                    rehearsed++;
                } else {
                    incomplete = Optional.of("a rehearsal of REDCap's call was answered "
                            + LogText.quote(answer.lines().findFirst().orElse("nothing")));
                }
            }
            fetchLive(host, listener.port(), listener.https(), warmUp);
        } catch (Exception | LinkageError e) {
            incomplete = Optional.of(e.toString());
        } finally {
            try {
                listener.endRehearsals();
            } catch (Exception e) {
                log.warn("could not close the warm-up's in-process connector: {}", e.toString());
            }
        }
        Duration took = Duration.ofNanos(warmUp.elapsedNanos());
        incomplete.ifPresent(why -> log.info("warm-up incomplete ({}); the first answers may be slower", why));
        return new Report(took, rehearsed, incomplete);
    }

    /** REDCap's call as it comes over the wire, with the rehearsals' secret. */
    private static String call(Rehearsal rehearsal, String host, String form) {
        return "POST " + RedcapListener.USER_ACCESS_PATH + "?secret=" + rehearsal.secret() + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Connection: close\r\n\r\n"
                + form;
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
