package io.cdpaccess.testing;

import io.cdpaccess.Application;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.config.ConfigException;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.NewGrant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real service, started in this JVM from a YAML text on a loopback port, with helpers to
 * change its store and read its decision log the way an administrator would.
 */
public final class ServiceUnderTest implements AutoCloseable {

    /** The one REDCap installation most tests need. */
    public static final String PROD_URL = "https://redcap.example.edu/";

    public static final String PROD_SECRET = "prod-secret-0123456789-XYZ";

    /**
     * A configuration with one instance, {@code prod}, on an ephemeral loopback port with its data
     * under {@code ./data}, plus any further top-level YAML (zone, store, policy...).
     */
    public static String prodConfig(String moreYaml) {
        return """
                listen: 127.0.0.1:0
                data_dir: ./data
                instances:
                  - name: prod
                    redcap_url: %s
                    secret: %s
                """.formatted(PROD_URL, PROD_SECRET) + moreYaml;
    }

    private final Application app;
    private final Clock clock;

    private ServiceUnderTest(Application app, Clock clock) {
        this.app = app;
        this.clock = clock;
    }

    /** Writes {@code yaml} to {@code dir/cdp-access.yaml}, loads it with {@code env}, and starts the service. */
    public static ServiceUnderTest start(Path dir, String yaml, Map<String, String> env, Clock clock) {
        try {
            return new ServiceUnderTest(Application.start(load(dir, yaml, env), new ConfigLoader(env), clock), clock);
        } catch (io.cdpaccess.policy.PolicyException e) {
            throw new IllegalStateException("test policy is invalid:\n" + e.getMessage(), e);
        }
    }

    public static ServiceUnderTest start(Path dir, String yaml) {
        return start(dir, yaml, Map.of(), Clock.systemUTC());
    }

    /** Writes and loads a configuration without starting anything. */
    public static ServiceConfig load(Path dir, String yaml, Map<String, String> env) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("cdp-access.yaml");
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return new ConfigLoader(env).load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException("test configuration is invalid:\n" + e.getMessage(), e);
        }
    }

    public Application app() {
        return app;
    }

    public int port() {
        return app.port();
    }

    /** {@code http(s)://127.0.0.1:PORT/user-access?secret=SECRET}, as pasted into REDCap. */
    public String url(String secret) {
        return (app.https() ? "https" : "http") + "://127.0.0.1:" + port() + "/user-access?secret=" + secret;
    }

    public String base() {
        return (app.https() ? "https" : "http") + "://127.0.0.1:" + port();
    }

    /** Grants access to one project (or all, with projectId 0) from now on, and waits until the server sees it. */
    public Grant grant(String instance, String user, long projectId, Optional<Instant> until) {
        Grant g = app.store()
                .addGrant(new NewGrant(
                        instance,
                        Username.normalize(user),
                        projectId == 0 ? OptionalLong.empty() : OptionalLong.of(projectId),
                        clock.instant().minusSeconds(1),
                        until,
                        "test",
                        "test grant"));
        app.snapshot().refresh();
        return g;
    }

    /**
     * Rewrites the configuration file with {@code yaml} and reloads it as SIGHUP would; when this
     * returns, whatever the reload applied is in force.
     */
    public io.cdpaccess.policy.LivePolicy.Reload reload(String yaml) {
        try {
            Files.writeString(app.config().source(), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return app.reloadPolicy("test");
    }

    /** The decision log entry for an X-Decision-Id. */
    public Optional<DecisionRecord> decision(String id) {
        try {
            return new DecisionQuery(app.database().dataSource()).find(id);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /metrics} from this host, as Prometheus running beside the service would. */
    /**
     * REDCap's call for alice in project 42 of {@link #PROD_URL}, sent from the loopback address
     * {@code from} (to play a REDCap host, a proxy or a guesser) with {@code secret} in the query.
     */
    public RawHttp.Response callFrom(InetAddress from, String secret) throws IOException {
        byte[] body = RedcapClient.httpBuildQuery(
                        new LinkedHashMap<>(Map.of("user", "alice", "project_id", "42", "redcap_url", PROD_URL)))
                .getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(
                from,
                InetAddress.getByName("127.0.0.1"),
                port(),
                RawHttp.request(
                        "POST",
                        "/user-access?secret=" + secret,
                        Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        body),
                30_000);
    }

    public Scrape scrape() {
        RedcapClient.Response r = new RedcapClient().send("GET", base() + "/metrics", new byte[0], null);
        if (r.status() != 200) {
            throw new AssertionError("GET /metrics answered " + r.status() + ": " + r.body());
        }
        return Scrape.parse(r.body());
    }

    /** Scrapes until {@code condition} holds (within 20 s), for what background threads change. */
    public Scrape awaitScrape(Predicate<Scrape> condition) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Scrape last = scrape();
        while (!condition.test(last)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the metrics never showed the change; last scrape:\n" + last.text());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            last = scrape();
        }
        return last;
    }

    @Override
    public void close() {
        app.close();
    }
}
