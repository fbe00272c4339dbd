package io.cdpaccess.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The warm-up's way into the listener: an in-process connector, open only while the warm-up
 * runs, whose requests go through the very handlers REDCap's do and are marked
 * {@link #ATTRIBUTE} on the way, so that {@code /user-access} answers them with the rehearsal's
 * own caller, recorder and meters ({@link Rehearsal}). Nothing on the network can be marked: the
 * mark is given by which connector a request came through, not by anything the request says,
 * and this connector takes bytes only from {@link #send} in this process.
 */
final class Rehearsals extends Handler.Wrapper {

    /** Request attribute, present only on requests sent through {@link #send}. */
    static final String ATTRIBUTE = "cdp-access.rehearsal";

    private final Server server;
    private ConnectionFactory http;
    private boolean over;
    private volatile LocalConnector connector;

    Rehearsals(Server server) {
        this.server = server;
    }

    /** How the in-process connector is to speak HTTP: as the network connector does. */
    synchronized void speaking(ConnectionFactory factory) {
        this.http = factory;
    }

    /**
     * Sends one raw HTTP/1.1 request through the listener's handlers and returns the raw answer;
     * the first opens the in-process connector (added once the server runs, so that the network
     * connector stays the server's first).
     *
     * @throws IllegalStateException once {@link #close} was called
     */
    String send(String request, Duration timeout) throws Exception {
        return open().getResponse(request, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized LocalConnector open() throws Exception {
        if (over || http == null) {
            throw new IllegalStateException("rehearsals are over");
        }
        if (connector == null) {
            LocalConnector local = new LocalConnector(server, http);
            server.addConnector(local);
            if (!local.isStarted()) {
                local.start();
            }
            connector = local;
        }
        return connector;
    }

    /** Closes the connector for good: from now on no request is a rehearsal. */
    synchronized void close() throws Exception {
        over = true;
        LocalConnector local = connector;
        connector = null;
        if (local != null) {
            server.removeConnector(local);
            local.stop();
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LocalConnector local = connector;
        if (local != null && request.getConnectionMetaData().getConnector() == local) {
            request.setAttribute(ATTRIBUTE, true);
        }
        return super.handle(request, response, callback);
    }
}
