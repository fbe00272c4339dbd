package io.cdpaccess.http;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.time.Ticker;
import io.cdpaccess.tls.ServerKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code GET /metrics} from the service running on this configuration's listen address, for the
 * command line to show the running service's view beside its own. Bounded (a short connect and
 * read timeout, one deadline for the whole body, a size cap) and never an error: whatever keeps
 * the scrape from being read becomes one line saying why.
 *
 * <p>Not the {@code doctor}'s client: that one imitates REDCap's cURL (any chain, host name
 * checked, 30 s to connect), while this one calls the bind address, which the certificate need
 * not name (0.0.0.0 is called on 127.0.0.1). So over HTTPS it trusts exactly the certificate
 * {@code tls:} configures, and that certificate, not a host name, is what identifies the service.
 */
public final class OwnMetrics {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BODY = 8 * 1024 * 1024;

    /** What came of asking. */
    public sealed interface Result {
        /** The exposition text. */
        record Scraped(String text) implements Result {}

        /** Why there is no scrape, as one line starting {@code server: }. */
        record Unavailable(String line) implements Result {}
    }

    private final Ticker ticker;

    public OwnMetrics(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The scrape of the service {@code config} configures, or why there is none. */
    public Result read(ServiceConfig config) {
        if (!config.metrics().enabled()) {
            return new Result.Unavailable("server: not asked: /metrics is off (metrics.enabled: false)");
        }
        HostPort listen = config.listen();
        if (listen.port() == 0) {
            return new Result.Unavailable("server: not asked: listen: " + listen + " names no fixed port");
        }
        HostPort target = new HostPort(callable(listen.host()), listen.port());
        Optional<X509Certificate> certificate;
        try {
            certificate = config.tls().isPresent()
                    ? ServerKeys.presentedCertificate(config.tls().get())
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return new Result.Unavailable("server: not asked: " + e.getMessage());
        }
        if (config.tls().isPresent() && certificate.isEmpty()) {
            return new Result.Unavailable("server: not running on " + target
                    + " (no self-signed certificate made yet: serve makes it on first start)");
        }
        String scheme = certificate.isPresent() ? "https" : "http";
        long deadline = ticker.nanos() + TOTAL_TIMEOUT.toNanos();
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(scheme + "://" + target + MetricsEndpoint.PATH)
                    .toURL()
                    .openConnection();
            if (connection instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(trusting(certificate.get()).getSocketFactory());
                // The certificate is pinned: only the service's own key can complete the handshake, so the
                // name it was issued for (REDCap's, not the bind address) has nothing left to prove.
                https.setHostnameVerifier((host, session) -> true);
            }
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) TOTAL_TIMEOUT.toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Accept", "text/plain");
            int status = connection.getResponseCode();
            if (status == 403) {
                return new Result.Unavailable("server: running on " + target
                        + ", but /metrics is not readable from here (metrics.allow_from)");
            }
            if (status == 404) {
                return new Result.Unavailable("server: running on " + target
                        + ", but it serves no /metrics (metrics.enabled: false when it started)");
            }
            if (status != 200) {
                return new Result.Unavailable("server: GET /metrics on " + target + " answered " + status);
            }
            try (InputStream in = connection.getInputStream()) {
                return new Result.Scraped(body(in, deadline));
            }
        } catch (ConnectException e) {
            return new Result.Unavailable("server: not running on " + target);
        } catch (SocketTimeoutException e) {
            return new Result.Unavailable(
                    "server: no answer from " + target + " within " + TOTAL_TIMEOUT.toSeconds() + " s");
        } catch (SSLException e) {
            return new Result.Unavailable("server: the listener on " + target
                    + " did not complete HTTPS with the certificate tls: configures (" + e.getMessage() + ")");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return new Result.Unavailable("server: cannot read /metrics on " + target + ": " + e.getMessage());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** The address to call for a bind address: a wildcard listens on loopback too. */
    static String callable(String host) {
        return switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
    }

    private String body(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_BODY) {
                throw new IOException("more than " + MAX_BODY / (1024 * 1024) + " MiB of metrics");
            }
            // The read timeout bounds each read; a body trickled in slowly is bounded here.
            if (ticker.nanos() - deadline > 0) {
                throw new SocketTimeoutException("the scrape took too long");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** TLS that trusts {@code certificate} and nothing else. */
    private static SSLContext trusting(X509Certificate certificate) throws GeneralSecurityException {
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(Set.of(new TrustAnchor(certificate, null)), null);
        // Nobody vouches for a pinned certificate: there are no revocation lists to fetch for it.
        parameters.setRevocationEnabled(false);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(parameters));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
