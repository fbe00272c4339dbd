package io.cdpaccess.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What often sits in front of a service: a server on loopback that answers every request with one
 * redirect status to one location, as an http→https rule at a load balancer does.
 */
public final class RedirectingServer implements AutoCloseable {

    private final HttpServer server;

    private RedirectingServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1 and a free port; every request gets {@code status} to {@code location}. */
    public static RedirectingServer start(int status, String location) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().add("Location", location);
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
            return new RedirectingServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code pathAndQuery} on this server. */
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
