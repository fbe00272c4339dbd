package io.cdpaccess.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever touching DNS. {@link InetAddress#getByName(String)}
 * resolves host names, which on a request path would let a caller make the service perform
 * lookups (and in configuration would make an allowlist depend on a resolver); this class accepts
 * only text that is an IPv4 or IPv6 literal.
 */
public final class IpAddresses {

    private IpAddresses() {}

    /**
     * Returns the address for an IPv4 or IPv6 literal (brackets and an IPv6 zone id allowed).
     *
     * @throws IllegalArgumentException when the text is not an address literal
     */
    public static InetAddress parseLiteral(String text) {
        String s = text == null ? "" : text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        String withoutZone = zone >= 0 ? s.substring(0, zone) : s;
        if (withoutZone.isEmpty() || !isLiteral(withoutZone)) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            return InetAddress.getByName(withoutZone);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
    }

    private static boolean isLiteral(String s) {
        boolean colon = s.indexOf(':') >= 0;
        if (!colon) {
            // IPv4: exactly four decimal parts 0-255 (getByName also accepts "1" or "1.2", which we refuse)
            // without leading zeros, which other tools read as octal: 010.0.0.1 is 8.0.0.1 to inet_aton.
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                if (part.isEmpty()
                        || part.length() > 3
                        || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                        || (part.length() > 1 && part.charAt(0) == '0')
                        || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok =
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
