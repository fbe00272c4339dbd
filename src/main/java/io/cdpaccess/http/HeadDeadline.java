package io.cdpaccess.http;

import io.cdpaccess.config.Durations;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.ops.LogText;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request head (request line and headers) has not arrived within the
 * bound counted from the request's first byte, holding no thread while it waits.
 *
 * <p>Jetty parses heads as its selector delivers the bytes, so a slow head holds no thread, but
 * nothing ended it: each byte inside the idle timeout kept the connection, and its request, alive
 * for as long as the client liked. Here the HTTP/1.1 parser reports each step: when a head is
 * begun and not finished, one timer is set on the connector's scheduler for the bound from its
 * first byte, and cancelled when the head is complete (the body is then {@link WholeRequestFirst}'s
 * to bound, from the same first byte). A head that arrives in one read, as REDCap's does, never
 * sets a timer. On a kept-alive connection each request's bound starts at its own first byte: the
 * quiet between requests is the idle timeout's business.
 *
 * <p>Over TLS the handshake is part of the exchange: a connection's first request counts from the
 * handshake's first byte (REDCap makes a new connection and handshake per call), so handshake and
 * head together must arrive within the bound, and {@link org.eclipse.jetty.server.Request#getBeginNanoTime()}
 * of that request, from which its deadline runs, is that byte too.
 *
 * <p>A head cut off is closed without an answer: there is no complete request to answer, nor one to
 * record, and a client that has not finished its head may not be reading either. REDCap, which
 * sends its head in one write, would see a failed call, which it treats as a deny, as it does a
 * refused connection (its cURL then tries once more). Counted in
 * {@code cdp_access_slow_heads_closed_total}, said in one WARN a minute at most; connections are
 * not capped per address, since all of REDCap's calls come from one.
 */
final class HeadDeadline {

    private static final Duration QUIET = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(HeadDeadline.class);

    private final Duration bound;
    private final RequestMeters meters;
    private final Clock clock;
    private final AtomicReference<Instant> said = new AtomicReference<>(Instant.MIN);

    /**
     * @param bound how long after its first byte a head may still be arriving
     * @param clock for saying it at most once a minute
     */
    HeadDeadline(Duration bound, RequestMeters meters, Clock clock) {
        this.bound = bound;
        this.meters = meters;
        this.clock = clock;
    }

    /** HTTP/1.1 connections whose heads are bounded. */
    HttpConnectionFactory http(HttpConfiguration config) {
        return new HttpConnectionFactory(config) {
            @Override
            public Connection newConnection(Connector connector, EndPoint endPoint) {
                Watched connection = new Watched(config, connector, endPoint);
                connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
                return configure(connection, connector, endPoint);
            }
        };
    }

    /** TLS in front of {@link #http}: the bound of a connection's first request starts with the handshake. */
    SslConnectionFactory tls(SslContextFactory.Server ssl) {
        return new SslConnectionFactory(ssl, "http/1.1") {
            @Override
            protected SslConnection newSslConnection(Connector connector, EndPoint endPoint, SSLEngine engine) {
                return new HandshakeWatched(
                        connector.getByteBufferPool(),
                        connector.getExecutor(),
                        getSslContextFactory(),
                        endPoint,
                        engine,
                        isDirectBuffersForEncryption(),
                        isDirectBuffersForDecryption());
            }
        };
    }

    private void cutOff(EndPoint endPoint) {
        meters.slowHeadClosed();
        Instant now = clock.instant();
        Instant last = said.get();
        if (!now.isBefore(last.plus(QUIET)) && said.compareAndSet(last, now)) {
            log.warn(
                    "closed a connection from {} whose request did not arrive within {} of its first byte: a client"
                            + " sending slowly, or a network in trouble (REDCap sends its request at once); more are"
                            + " not said for a minute, cdp_access_slow_heads_closed_total counts every one",
                    peer(endPoint.getRemoteSocketAddress()),
                    Durations.format(bound));
        }
    }

    private static String peer(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : LogText.quote(String.valueOf(address));
    }

    /**
     * Jetty's HTTP/1.1 connection with its head watched. The class is in Jetty's {@code internal}
     * package, the one HTTP/1.1 connection there is; {@link HttpConnectionFactory} makes no other.
     */
    private final class Watched extends HttpConnection {
        private Scheduler.Task timer;
        private boolean pending;
        private long began;

        Watched(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
            ((WatchedParser) getParser()).connection = this;
        }

        @Override
        protected HttpParser newHttpParser(HttpCompliance compliance) {
            // Jetty's own parser, configured as Jetty does, lends its handler (private to the connection).
            HttpParser plain = super.newHttpParser(compliance);
            WatchedParser parser = new WatchedParser(
                    (HttpParser.RequestHandler) plain.getHandler(),
                    getHttpConfiguration().getRequestHeaderSize(),
                    compliance);
            parser.setHeaderCacheSize(plain.getHeaderCacheSize());
            parser.setHeaderCacheCaseSensitive(plain.isHeaderCacheCaseSensitive());
            return parser;
        }

        /** The exchange's first byte arrived at {@code nanos} (a later call for the same head is no news). */
        synchronized void began(long nanos) {
            if (pending) {
                return;
            }
            pending = true;
            began = nanos;
            long left = bound.toNanos() - (System.nanoTime() - nanos);
            timer = getConnector().getScheduler().schedule(() -> overdue(nanos), left, TimeUnit.NANOSECONDS);
        }

        /** The head is complete (or the connection gone): nothing to bound any more. */
        synchronized void finished() {
            if (pending) {
                pending = false;
                timer.cancel();
                timer = null;
            }
        }

        /** When the request began: the handshake's first byte for a head that came after one. */
        synchronized long beganOr(long parsed) {
            return pending ? began : parsed;
        }

        private void overdue(long nanos) {
            synchronized (this) {
                if (!pending || began != nanos) {
                    return; // finished just now, at the bound
                }
                pending = false;
                timer = null;
            }
            cutOff(getEndPoint());
            getEndPoint()
                    .close(new TimeoutException(
                            "request head not complete within " + Durations.format(bound) + " of its first byte"));
        }

        @Override
        public void onClose(Throwable cause) {
            finished();
            super.onClose(cause);
        }
    }

    /** Reports to its connection, after each step of parsing, whether a head is under way. */
    private static final class WatchedParser extends HttpParser {
        private Watched connection;

        WatchedParser(RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
            super(handler, maxHeaderBytes, compliance);
        }

        @Override
        public boolean parseNext(ByteBuffer buffer) {
            boolean handle = super.parseNext(buffer);
            if (isStart()) {
                return handle; // no byte of the next request yet (over TLS the handshake's timer may run)
            }
            if (inHeaderState()) {
                connection.began(super.getBeginNanoTime());
            } else {
                connection.finished();
            }
            return handle;
        }

        @Override
        public long getBeginNanoTime() {
            return connection == null ? super.getBeginNanoTime() : connection.beganOr(super.getBeginNanoTime());
        }
    }

    /** TLS whose first bytes begin the bound of the first request on the connection. */
    private static final class HandshakeWatched extends SslConnection {
        private final AtomicBoolean heard = new AtomicBoolean();

        HandshakeWatched(
                org.eclipse.jetty.io.ByteBufferPool pool,
                java.util.concurrent.Executor executor,
                SslContextFactory ssl,
                EndPoint endPoint,
                SSLEngine engine,
                boolean directEncryption,
                boolean directDecryption) {
            super(pool, executor, ssl, endPoint, engine, directEncryption, directDecryption);
        }

        @Override
        public void onFillable() {
            // Called when encrypted bytes are there to read: the first time, the ClientHello's.
            if (heard.compareAndSet(false, true) && getSslEndPoint().getConnection() instanceof Watched http) {
                http.began(System.nanoTime());
            }
            super.onFillable();
        }
    }
}
