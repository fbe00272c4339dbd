package io.cdpaccess.doctor;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URL an administrator pasted into REDCap, taken apart the way cURL does: scheme, optional
 * {@code user:password@} (sent as HTTP Basic, percent-decoded, and never on the request line),
 * host, port, and the request target (path and query as typed; a {@code #} and what follows are
 * never sent). Kept as the raw text too, because what a URL does to a secret can only be judged
 * from what was typed.
 *
 * @param raw the URL exactly as given
 * @param https whether the scheme is {@code https}
 * @param userInfo the raw text before the {@code @} of the authority, if any
 * @param host the host name or IP literal, IPv6 without brackets
 * @param port the explicit port, else the scheme's default
 * @param target the request target sent on the request line: path (at least {@code /}) and query
 */
public record ServiceUrl(String raw, boolean https, Optional<String> userInfo, String host, int port, String target) {

    private static final Pattern SHAPE = Pattern.compile("(?i)(https?)://([^/?#]*)([^#]*)(#.*)?", Pattern.DOTALL);

    /**
     * Parses a pasted URL.
     *
     * @throws IllegalArgumentException with a one-line reason when it is not an http(s) URL with a host
     */
    public static ServiceUrl parse(String text) {
        String s = text == null ? "" : text.strip();
        Matcher m = SHAPE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an http:// or https:// URL: " + mask(s));
        }
        boolean https = m.group(1).equalsIgnoreCase("https");
        String authority = m.group(2);
        // cURL takes the userinfo up to the first '@' of the authority; a second one belongs to the host.
        int at = authority.indexOf('@');
        Optional<String> userInfo = at < 0 ? Optional.empty() : Optional.of(authority.substring(0, at));
        String hostPort = at < 0 ? authority : authority.substring(at + 1);
        String host;
        String portText = "";
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in the host of " + mask(s));
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("unexpected text after the IPv6 address in " + mask(s));
            }
            portText = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? "" : hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in " + mask(s));
        }
        int port = https ? 443 : 80;
        if (!portText.isEmpty()) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "the port in " + mask(s) + " is not a number (a '/', '?' or '#' in a password ends it)");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range in " + mask(s));
            }
        }
        String target = m.group(3).isEmpty() ? "/" : m.group(3);
        if (target.startsWith("?")) {
            target = "/" + target;
        }
        return new ServiceUrl(s, https, userInfo, host.toLowerCase(Locale.ROOT), port, target);
    }

    /** The URL a redirect's {@code Location} names, resolved against this one as cURL does. */
    ServiceUrl resolve(String location) throws URISyntaxException {
        URI base = new URI((https ? "https" : "http") + "://" + authority() + target);
        URI next = base.resolve(new URI(encodeUnsafe(location.strip())));
        return parse(next.toString());
    }

    /** {@code host:port} as it appears in a URL (IPv6 in brackets). */
    public String authority() {
        return urlHost() + ":" + port;
    }

    String urlHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** The {@code Host} header cURL sends: the port only when it is not the scheme's default. */
    String hostHeader() {
        return port == (https ? 443 : 80) ? urlHost() : authority();
    }

    /** The Basic user name and password, percent-decoded as cURL does, if the URL has a userinfo. */
    Optional<String> basicCredentials() {
        return userInfo.map(ServiceUrl::percentDecode);
    }

    /** What cURL's {@code CURLOPT_AUTOREFERER} sends after this URL: no userinfo, no fragment. */
    String referer() {
        return (https ? "https" : "http") + "://" + hostHeader() + target;
    }

    /** The request target with what a request line cannot carry (space, non-ASCII) percent-encoded. */
    String requestTarget() {
        return encodeUnsafe(target);
    }

    /** Whether two URLs reach the same origin, which is where cURL sends Basic credentials on a redirect. */
    boolean sameOrigin(ServiceUrl other) {
        return https == other.https && host.equals(other.host) && port == other.port;
    }

    /** This URL with its secrets masked, for printing. */
    public String masked() {
        return mask(raw);
    }

    /**
     * Any URL with the password of its userinfo and the values of {@code secret}-like query
     * parameters replaced by {@code ***}: a doctor's output ends up in tickets and chat.
     */
    public static String mask(String url) {
        // Up to the last '@' before any fragment, not just the authority: a password holding '/' would show.
        String s = url.replaceAll("(?i)^(\\s*https?://[^/?#@:]*:)[^#]*@", "$1***@");
        return s.replaceAll("(?i)([?&](?:secret|token|key|password|pass|pwd|api_key)=)[^&#]*", "$1***");
    }

    /** cURL's percent-decoding of a userinfo: {@code %XX} to its byte, everything else as is. */
    static String percentDecode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
                out.write(Character.digit(bytes[i + 1], 16) << 4 | Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static boolean isHex(int c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    private static String encodeUnsafe(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f) {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
