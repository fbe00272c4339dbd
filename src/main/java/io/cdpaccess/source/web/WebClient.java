package io.cdpaccess.source.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpaccess.config.WebSettings;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * One {@code web} source's HTTP client: a request per lookup, answered within the source's
 * {@code timeout} as a whole — connecting, the headers and the body — or not at all. Redirects
 * are not followed (a redirect is a failure that says so), the body is read only up to {@code
 * max_response_bytes}, and every failure is one line naming the status or the pointer, never a
 * credential and never more than a short, redacted snippet of the body.
 */
final class WebClient implements SourceClient {

    /** How much of an error's or a non-JSON body a message shows. */
    static final int SNIPPET = 60;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String name;
    private final WebSettings settings;
    private final Duration timeout;
    private final HttpClient http;
    private final ExecutorService executor;
    private final List<String> secrets;
    private volatile boolean closed;

    WebClient(String name, WebSettings settings, Duration timeout, HttpClient http, ExecutorService executor) {
        this.name = name;
        this.settings = settings;
        this.timeout = timeout;
        this.http = http;
        this.executor = executor;
        List<String> s = new ArrayList<>();
        settings.headers().values().forEach(v -> s.add(v.reveal()));
        if (settings.auth() instanceof WebSettings.Bearer b) {
            s.add(b.token().reveal());
        } else if (settings.auth() instanceof WebSettings.Basic b) {
            s.add(b.password().reveal());
            s.add(basic(b));
        }
        s.removeIf(String::isEmpty);
        this.secrets = List.copyOf(s);
    }

    @Override
    public SourceAnswer lookup(SourceKey key) throws SourceException {
        if (closed) {
            throw new SourceException("source '" + name + "' is closed");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> values = WebRequests.values(key);
        URI uri = WebRequests.uri(settings.url(), values);
        HttpRequest request = request(uri, values);
        AtomicReference<BoundedBody> body = new AtomicReference<>();
        HttpResponse.BodyHandler<byte[]> handler = info -> {
            boolean success = info.statusCode() / 100 == 2;
            BoundedBody b = new BoundedBody(success ? settings.maxResponseBytes() : SNIPPET * 4, success);
            body.set(b);
            return b;
        };
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, handler);
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stop(exchange, body);
            throw new SourceException(
                    "no complete answer from " + origin(uri) + " within " + timeout.toMillis() + " ms (timeout)");
        } catch (InterruptedException e) {
            stop(exchange, body);
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while asking " + origin(uri));
        } catch (ExecutionException e) {
            throw failure(uri, e.getCause());
        }
        return answer(uri, response, key);
    }

    private HttpRequest request(URI uri, Map<String, String> values) throws SourceException {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        settings.headers().forEach((header, value) -> r.header(header, value.reveal()));
        if (settings.auth() instanceof WebSettings.Bearer b) {
            r.header("Authorization", "Bearer " + b.token().reveal());
        } else if (settings.auth() instanceof WebSettings.Basic b) {
            r.header("Authorization", "Basic " + basic(b));
        }
        if (settings.method() == WebSettings.Method.POST) {
            r.header("Content-Type", "application/json; charset=utf-8");
            r.POST(HttpRequest.BodyPublishers.ofByteArray(WebRequests.body(settings.body(), values)));
        } else {
            r.GET();
        }
        return r.build();
    }

    private static String basic(WebSettings.Basic b) {
        return Base64.getEncoder()
                .encodeToString((b.user() + ":" + b.password().reveal()).getBytes(StandardCharsets.UTF_8));
    }

    /** Gives up on the exchange: the client aborts it, and the body, if it had begun, stops being read. */
    private static void stop(CompletableFuture<?> exchange, AtomicReference<BoundedBody> body) {
        exchange.cancel(true);
        BoundedBody b = body.get();
        if (b != null) {
            b.stop();
        }
    }

    private SourceAnswer answer(URI uri, HttpResponse<byte[]> response, SourceKey key) throws SourceException {
        int status = response.statusCode();
        if (status == 404) {
            return JsonFacts.NOT_FOUND;
        }
        if (status / 100 != 2) {
            String hint = status / 100 == 3
                    ? " (redirects are not followed; give url the final address)"
                    : status == 401 || status == 403 ? " (check auth)" : "";
            throw new SourceException(
                    "HTTP " + status + " from " + origin(uri) + hint + snippet(response.body(), ": "));
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new SourceException("the answer (HTTP " + status + " from " + origin(uri) + ") is not JSON"
                    + contentType(response) + snippet(response.body(), ": "));
        } catch (IOException e) {
            throw new SourceException("the answer from " + origin(uri) + " could not be read", e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new SourceException("the answer (HTTP " + status + " from " + origin(uri) + ") is empty, not JSON");
        }
        return JsonFacts.read(tree, settings.facts(), settings.foundPointer(), settings.zone(), key.now());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Content-Type")
                .map(t -> " (" + clean(t, 40) + ")")
                .orElse("");
    }

    /** A few characters of a body, printable, with any credential of this source blanked out. */
    private String snippet(byte[] body, String prefix) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, SNIPPET * 4), StandardCharsets.UTF_8);
        for (String secret : secrets) {
            text = text.replace(secret, "****");
        }
        return prefix + "'" + clean(text, SNIPPET) + "'";
    }

    private static String clean(String text, int max) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(max).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.toString().strip() + (text.codePointCount(0, text.length()) > max ? "…" : "");
    }

    private SourceException failure(URI uri, Throwable cause) {
        Throwable t = cause;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        String where = origin(uri);
        if (t instanceof BoundedBody.TooLong tooLong) {
            return new SourceException("the answer from " + where + " is too long: " + tooLong.getMessage());
        }
        if (t instanceof HttpConnectTimeoutException) {
            return new SourceException("could not connect to " + where + " within " + timeout.toMillis() + " ms");
        }
        if (t instanceof HttpTimeoutException) {
            return new SourceException("no answer from " + where + " within " + timeout.toMillis() + " ms (timeout)");
        }
        if (t instanceof ConnectException) {
            return new SourceException("could not connect to " + where + " (connection refused)");
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                boolean untrusted = String.valueOf(c.getMessage()).contains("PKIX")
                        || String.valueOf(c.getMessage()).contains("certificate");
                return new SourceException("TLS with " + where + " failed"
                        + (untrusted
                                ? ": its certificate is not trusted; give its CA as trust_store"
                                : ": " + clean(String.valueOf(c.getMessage()), 80)));
            }
        }
        return new SourceException(
                "asking " + where + " failed: " + t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : " (" + clean(t.getMessage(), 80) + ")"));
    }

    /** The endpoint without path or query: the key in the path is the user's, not needed to say what failed. */
    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
