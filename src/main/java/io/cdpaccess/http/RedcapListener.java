package io.cdpaccess.http;

import io.cdpaccess.access.Callers;
import io.cdpaccess.access.UserAccess;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.tls.ServerKeys;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The REDCap-facing HTTP(S) listener: {@code POST /user-access} plus {@code /health/live},
 * {@code /health/ready} and {@code /metrics} (unless disabled). Everything REDCap could reach
 * answers {@code text/plain}; no response anywhere on this listener can be a 500 or show a stack
 * trace, and an unknown path is 404 {@code 0} rather than a page that echoes it.
 */
public final class RedcapListener implements AutoCloseable {

    /** The path REDCap is configured to call. */
    public static final String USER_ACCESS_PATH = "/user-access";

    private static final List<HandlerType> ROUTED_METHODS = List.of(
            HandlerType.GET,
            HandlerType.POST,
            HandlerType.PUT,
            HandlerType.PATCH,
            HandlerType.DELETE,
            HandlerType.HEAD,
            HandlerType.OPTIONS,
            HandlerType.TRACE,
            HandlerType.QUERY);

    private final Javalin app;
    private final boolean https;
    private final ScheduledExecutorService heldBack;
    private final Rehearsals rehearsals;

    private RedcapListener(Javalin app, boolean https, ScheduledExecutorService heldBack, Rehearsals rehearsals) {
        this.app = app;
        this.https = https;
        this.heldBack = heldBack;
        this.rehearsals = rehearsals;
    }

    /**
     * Binds and starts the listener with the handlers it serves; builds no component of its own
     * beyond the Javalin adapters.
     *
     * @param tls the certificate and key for HTTPS; empty for plain HTTP
     * @param rehearsal answers the warm-up's rehearsals, sent through {@link #rehearse} until
     *     {@link #endRehearsals}
     * @param callers how {@code /metrics} works out its caller, as {@code /user-access} does, and whom it serves
     * @param clock for saying slow clients' cut-offs at most once a minute
     */
    public static RedcapListener start(
            ServiceConfig config,
            Optional<ServerKeys> tls,
            UserAccess userAccess,
            RequestMeters meters,
            Rehearsal rehearsal,
            Supplier<Callers> callers,
            Health health,
            Metrics metrics,
            Clock clock) {
        ScheduledExecutorService heldBack = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cdp-access-held-back-answers");
            t.setDaemon(true);
            return t;
        });
        UserAccessHandler endpoint = new UserAccessHandler(userAccess, meters, rehearsal, heldBack);
        MetricsEndpoint metricsEndpoint = new MetricsEndpoint(callers, metrics, meters);
        ServerKeys keys = tls.orElse(null);
        // A request, head and body, must arrive within three quarters of the deadline from its first
        // byte: the last quarter is for deciding and recording (the body's cut-off is answered).
        Duration receiving = config.deadline().multipliedBy(3).dividedBy(4);
        HeadDeadline heads = new HeadDeadline(receiving, meters, clock);
        // Idle reads (a stalled body) may not outlast the deadline by much: REDCap waits forever.
        long idleTimeoutMs = config.deadline().toMillis() + 1_000;
        AtomicReference<Rehearsals> rehearsals = new AtomicReference<>();
        AtomicReference<HttpConfiguration> plainHttp = new AtomicReference<>();
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = UserAccess.MAX_BODY_BYTES;
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new PlainZeroErrorHandler());
                // Javalin attaches its servlets inside the innermost wrapper: these see requests first,
                // each inserted outside the one before (the rehearsals' mark, then the whole body).
                server.insertHandler(new WholeRequestFirst(USER_ACCESS_PATH, UserAccess.MAX_BODY_BYTES, receiving));
                rehearsals.set(new Rehearsals(server));
                server.insertHandler(rehearsals.get());
            });
            cfg.jetty.addConnector((server, httpConfig) -> {
                plainHttp.set(httpConfig);
                return connector(server, httpConfig, config, keys, heads, idleTimeoutMs);
            });
            for (HandlerType method : ROUTED_METHODS) {
                cfg.routes.addHttpHandler(method, USER_ACCESS_PATH, endpoint);
            }
            // Javalin answers methods it has no route for (PROPFIND, made-up ones) with its own 404
            // before any handler runs; catch them here so they too get a recorded 404 "0".
            cfg.routes.before(USER_ACCESS_PATH, ctx -> {
                if (!ROUTED_METHODS.contains(ctx.method())) {
                    endpoint.handle(ctx);
                    ctx.skipRemainingHandlers();
                }
            });
            cfg.routes.get("/health/live", health::live);
            cfg.routes.get("/health/ready", health::ready);
            if (config.metrics().enabled()) {
                cfg.routes.get(MetricsEndpoint.PATH, metricsEndpoint);
            }
            cfg.routes.error(404, ctx -> Exchanges.answer(ctx, Answer.REFUSED));
            cfg.routes.exception(Exception.class, (e, ctx) -> Exchanges.answer(ctx, Answer.UNAVAILABLE));
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            heldBack.shutdownNow();
            Optional<BindException> bind = bindFailure(e);
            if (bind.isPresent()) {
                throw new IllegalArgumentException(cannotListen(config.listen(), bind.get()), e);
            }
            throw e;
        }
        // Rehearsals speak HTTP as the network connector does, head deadline included.
        rehearsals.get().speaking(heads.http(plainHttp.get()));
        return new RedcapListener(app, keys != null, heldBack, rehearsals.get());
    }

    private static ServerConnector connector(
            Server server,
            HttpConfiguration httpConfig,
            ServiceConfig config,
            ServerKeys keys,
            HeadDeadline heads,
            long idleTimeoutMs) {
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        ServerConnector connector;
        if (keys == null) {
            connector = new ServerConnector(server, heads.http(httpConfig));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keys.keyStore());
            ssl.setKeyStorePassword(keys.password());
            ssl.setSniRequired(false);
            HttpConfiguration httpsConfig = new HttpConfiguration(httpConfig);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // REDCap may call by IP address (no SNI); Jetty rejecting that would deny every user.
            secure.setSniHostCheck(false);
            httpsConfig.addCustomizer(secure);
            connector = new ServerConnector(server, heads.tls(ssl), heads.http(httpsConfig));
        }
        connector.setHost(config.listen().host());
        connector.setPort(config.listen().port());
        connector.setIdleTimeout(idleTimeoutMs);
        return connector;
    }

    private static Optional<BindException> bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                return Optional.of(bind);
            }
        }
        return Optional.empty();
    }

    /**
     * What a person can do about an address the listener cannot have: the three ways binding
     * fails on the platforms we run on, each with its remedy, as one line.
     */
    static String cannotListen(HostPort listen, BindException e) {
        String why = String.valueOf(e.getMessage());
        String what;
        if (why.contains("in use")) {
            what = "the address is already in use (another cdp-access, or another program, listens there);"
                    + " stop that one, or choose another port with listen: or serve --listen";
        } else if (why.contains("Permission denied") || why.contains("Access denied")) {
            what = "not permitted (ports below 1024 need privileges); choose a port above 1023, e.g. 8443";
        } else if (why.contains("assign requested address")) {
            what = listen.host() + " is not an address of this host; use one of its addresses, or 0.0.0.0 for all";
        } else {
            what = why;
        }
        return "cannot listen on " + listen + ": " + what;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return app.port();
    }

    public boolean https() {
        return https;
    }

    /**
     * Sends one raw HTTP/1.1 request through the listener's handlers over the in-process
     * connector, as a rehearsal (answered by the {@link Rehearsal} given at start), and returns
     * the raw answer.
     *
     * @throws IllegalStateException once {@link #endRehearsals} was called
     */
    String rehearse(String request, Duration timeout) throws Exception {
        return rehearsals.send(request, timeout);
    }

    /** Closes the in-process connector for good: from now on no request is a rehearsal. */
    public void endRehearsals() throws Exception {
        rehearsals.close();
    }

    @Override
    public void close() {
        app.stop();
        heldBack.shutdownNow(); // answers still held back go with their connections
    }
}
