package io.cdpaccess.access;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Works out the address a request really came from. REDCap's outbound proxy may stand between
 * REDCap and this service, so {@code X-Forwarded-For} is believed, but only from a configured
 * trusted proxy, and only as far back as the chain of trusted proxies reaches: the first address,
 * walking right to left, that is not a trusted proxy is the caller. Anyone can write the header,
 * so an entry added by an untrusted hop is never used.
 */
public final class CallerAddress {

    private final List<Cidr> trustedProxies;

    public CallerAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    List<Cidr> trustedProxies() {
        return trustedProxies;
    }

    /**
     * The caller: the TCP peer, or whom trusted proxies forwarded the request for.
     *
     * @param peer the TCP peer
     * @param forwardedFor every {@code X-Forwarded-For} header value, in order received
     */
    public InetAddress resolve(InetAddress peer, List<String> forwardedFor) {
        InetAddress current = peer;
        if (!trusted(current) || forwardedFor.isEmpty()) {
            return current;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            String[] parts = header.split(",", -1);
            int end = parts.length;
            // Trailing commas add no hop, but an empty header is one entry, and a garbled one.
            while (!header.isEmpty() && end > 0 && parts[end - 1].isEmpty()) {
                end--;
            }
            for (int i = 0; i < end; i++) {
                hops.add(parts[i].strip());
            }
        }
        for (int i = hops.size() - 1; i >= 0 && trusted(current); i--) {
            InetAddress hop = parseHop(hops.get(i));
            if (hop == null) {
                break; // a garbled entry ends what can be believed
            }
            current = hop;
        }
        return current;
    }

    private boolean trusted(InetAddress address) {
        return Cidr.anyContains(trustedProxies, address);
    }

    /** Parses {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code 2001:db8::1} or {@code [2001:db8::1]:5678}. */
    static InetAddress parseHop(String hop) {
        String h = hop;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return null;
            }
            h = h.substring(1, close);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':') && h.indexOf('.') >= 0) {
            h = h.substring(0, h.indexOf(':')); // IPv4 with port
        }
        try {
            return IpAddresses.parseLiteral(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
