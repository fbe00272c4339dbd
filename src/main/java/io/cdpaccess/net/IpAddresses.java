package io.cdpaccess.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever touching DNS. {@link InetAddress#getByName(String)}
 * resolves host names, which on a request path would let a caller make the service perform
 * lookups (and in configuration would make an allowlist depend on a resolver); this class accepts
 * only text that is an IPv4 or IPv6 literal.
 *
 * <p>It also writes addresses in one canonical text, {@link #canonical(InetAddress)}: the JDK's
 * {@code 0:0:0:0:0:0:0:1} is a form no person writes, so a policy rule {@code caller_ip == '::1'}
 * would never match it.
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

    /**
     * The address as RFC 5952 writes it: lower-case hexadecimal without leading zeros, the longest
     * run of two or more zero groups (the first of equal runs) written {@code ::}. IPv4-mapped
     * addresses ({@code ::ffff:192.0.2.1}) are the IPv4 address ({@code 192.0.2.1}): the JDK reads
     * them as IPv4 already, and a caller reaching a dual-stack listener over IPv4 is that address.
     * An IPv6 zone is left out, as {@link #parseLiteral} ignores it.
     */
    public static String canonical(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written 0, never ::
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = end;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /**
     * The canonical text of an address literal, or the text unchanged when it is not one: for text
     * recorded before addresses were canonical, which must still be read.
     */
    public static String canonicalOrAsIs(String text) {
        try {
            return canonical(parseLiteral(text));
        } catch (IllegalArgumentException notAnAddress) {
            return text;
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
