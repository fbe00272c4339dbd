package io.cdpaccess.net;

/**
 * Where a listener binds: an IP literal or host name and a port (0 = any free port, for tests).
 * Written {@code 127.0.0.1:8080}, {@code 0.0.0.0:8080}, {@code [::1]:8080} or {@code :8080}
 * (all interfaces).
 */
public record HostPort(String host, int port) {

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static HostPort parse(String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected host:port, e.g. 127.0.0.1:8080");
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write IPv6 addresses in brackets, e.g. [::1]:8080");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number: " + port);
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port out of range: " + p);
        }
        return new HostPort(host, p);
    }

    /** The host as it appears in a URL (IPv6 in brackets). */
    public String urlHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return urlHost() + ":" + port;
    }
}
