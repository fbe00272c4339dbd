package io.cdpaccess.source.web;

import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.config.WebSettings;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.FactFields;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKind;
import io.cdpaccess.source.SourceTrust;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * An HTTP endpoint answering JSON as a fact source ({@code type: web}): an IRB system asked
 * whether a person is on a protocol, a training system asked for a course's completion date.
 * One request per lookup (cached as every source's answers are), the URL and body filled in from
 * the key; the facts are read at JSON Pointers with the types the configuration gives them, plus
 * {@code found}: 2xx is found (or what the {@code found} pointer says), 404 is not found, any
 * other answer a failure.
 */
public final class WebSource implements SourceKind {

    @Override
    public FactType.Struct facts(SourceConfig source) {
        WebSettings s = settings(source);
        if (s.uses("irb_number") && source.irbNumber().isEmpty()) {
            throw new IllegalArgumentException(source.origin() + ": source '" + source.name()
                    + "': the url or body asks with {irb_number}; say where it comes from, e.g. "
                    + "irb_number: redcap.project_irb_number");
        }
        return FactFields.struct(source, s.facts());
    }

    @Override
    public boolean perProject(SourceConfig source) {
        WebSettings s = settings(source);
        return s.uses("project_id") || s.uses("irb_number");
    }

    @Override
    public boolean perInstance(SourceConfig source) {
        return settings(source).uses("instance");
    }

    @Override
    public boolean perRedcapUser(SourceConfig source) {
        return settings(source).uses("redcap_user");
    }

    /** A project without an IRB number to ask with: not found, as a 404 would be. */
    @Override
    public SourceAnswer unknownKey() {
        return JsonFacts.NOT_FOUND;
    }

    /** No connection is made: an endpoint down at start fails lookups, not the start. */
    @Override
    public SourceClient open(SourceConfig source, Clock clock) throws SourceException {
        if (!(source.settings() instanceof WebSettings settings)) {
            throw new SourceException("source '" + source.name() + "' is of type " + source.type() + ", not web");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(source.timeout());
        if (settings.url().template().regionMatches(true, 0, "https:", 0, 6)) {
            TrustManager trust =
                    SourceTrust.trustManager(settings.trustStore(), settings.trustStorePassword(), source.name());
            try {
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, new TrustManager[] {trust}, null);
                builder.sslContext(tls);
            } catch (GeneralSecurityException e) {
                throw new SourceException(
                        "source '" + source.name() + "': TLS is not available: "
                                + e.getClass().getSimpleName(),
                        e);
            }
        }
        ExecutorService executor = executor(source.name());
        return new WebClient(
                source.name(),
                settings,
                source.timeout(),
                builder.executor(executor).build(),
                executor);
    }

    private static ExecutorService executor(String name) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "source-" + name + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static WebSettings settings(SourceConfig source) {
        if (!(source.settings() instanceof WebSettings s)) {
            throw new IllegalArgumentException(
                    source.origin() + ": source '" + source.name() + "' is of type " + source.type() + ", not web");
        }
        return s;
    }
}
