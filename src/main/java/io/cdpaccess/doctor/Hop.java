package io.cdpaccess.doctor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request and its answer on a fresh connection: one step of a call that may follow
 * redirects, as cURL would have made it.
 *
 * @param url where it went
 * @param method {@code POST}, or {@code GET} after a 301/302/303
 * @param sentBody whether the form body went with it
 * @param sentCredentials whether HTTP Basic from the URL's userinfo went with it
 * @param status the HTTP status
 * @param headers the answer's headers, names in lower case
 * @param body the answer's body (the first 64 KiB)
 * @param certificate the server's certificate, over https
 * @param millis from connecting to the end of the answer
 */
public record Hop(
        ServiceUrl url,
        String method,
        boolean sentBody,
        boolean sentCredentials,
        int status,
        Map<String, List<String>> headers,
        String body,
        Optional<PeerCertificate> certificate,
        long millis) {

    public Hop {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Whether cURL with {@code CURLOPT_FOLLOWLOCATION} follows this answer. */
    boolean isRedirect() {
        return (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                && header("location").isPresent();
    }

    /** Whether following it drops the body (cURL turns the POST into a GET). */
    boolean dropsBody() {
        return status == 301 || status == 302 || status == 303;
    }
}
