package io.cdpaccess.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP endpoint that answers JSON (an IRB system, a training system) as a fact source.
 *
 * @param url the URL template, placeholders encoded for where they stand
 * @param method {@code GET} or {@code POST}
 * @param body for {@code POST}: a JSON template whose strings may hold placeholders, each filled
 *     in JSON-escaped; empty for {@code GET}
 * @param headers further request headers, in configuration order; values may come from the
 *     environment and are treated as secrets (an API key header)
 * @param auth how the service proves itself to the endpoint
 * @param trustStore the endpoint's CA (PKCS#12 or PEM), else the JVM's trusted CAs
 * @param trustStorePassword the trust store's password, if it has one
 * @param facts the facts read from the answer, each at a JSON Pointer
 * @param foundPointer a JSON Pointer to a boolean saying whether the endpoint knows the user;
 *     without it every 2xx answer is "found" (and 404 "not found")
 * @param maxResponseBytes the most of a response body read; a longer one is a failure
 * @param zone the zone a date or a time without offset is read in
 */
public record WebSettings(
        WebUrl url,
        Method method,
        Optional<String> body,
        Map<String, Secret> headers,
        Auth auth,
        Optional<Path> trustStore,
        Secret trustStorePassword,
        List<FactField> facts,
        Optional<String> foundPointer,
        int maxResponseBytes,
        ZoneId zone)
        implements SourceSettings {

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

    public WebSettings {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        facts = List.copyOf(facts);
    }

    @Override
    public String type() {
        return "web";
    }

    /** Whether the URL or the body asks with {@code placeholder}. */
    public boolean uses(String placeholder) {
        return url.uses(placeholder)
                || body.map(b -> WebUrl.placeholdersIn(b).contains(placeholder)).orElse(false);
    }

    /** The request's method. */
    public enum Method {
        GET,
        POST
    }

    /** How the service authenticates to the endpoint; the credentials are never shown. */
    public sealed interface Auth permits NoAuth, Bearer, Basic {}

    /** No {@code Authorization} header (the endpoint may still want one of {@link #headers}). */
    public record NoAuth() implements Auth {}

    /** {@code Authorization: Bearer <token>}. */
    public record Bearer(Secret token) implements Auth {}

    /** {@code Authorization: Basic ...} of user and password. */
    public record Basic(String user, Secret password) implements Auth {}
}
