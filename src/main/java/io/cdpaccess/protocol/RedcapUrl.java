package io.cdpaccess.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A REDCap installation's base address in canonical form, so that the {@code redcap_url} REDCap
 * sends can be compared with the one an administrator typed into the configuration.
 *
 * <p>Canonical form: scheme and host lower case, the scheme's default port dropped, no query or
 * fragment, and the path ending in exactly one slash ({@code https://redcap.example.edu/} and
 * {@code HTTPS://Redcap.Example.EDU:443} are the same installation). REDCap always sends its base
 * URL with a trailing slash; administrators often omit it.
 */
public record RedcapUrl(String value) {

    public RedcapUrl {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty REDCap URL");
        }
    }

    /**
     * Parses and canonicalizes a REDCap base URL.
     *
     * @throws IllegalArgumentException with a one-line reason when the text is not an absolute
     *     http(s) URL with a host and without credentials, query or fragment
     */
    public static RedcapUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("empty REDCap URL");
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("REDCap URL must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("REDCap URL must not contain user:password@");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("REDCap URL must not contain a query or fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("REDCap URL has no host name");
        }
        host = host.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort =
                port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        path = path.substring(0, end) + "/";
        return new RedcapUrl(scheme + "://" + host + (defaultPort ? "" : ":" + port) + path);
    }

    @Override
    public String toString() {
        return value;
    }
}
