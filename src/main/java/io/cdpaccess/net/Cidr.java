package io.cdpaccess.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare
 * address means that single host. An IPv4 network never contains an IPv6 address and vice versa,
 * except that IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) are seen as IPv4 by the JDK.
 * Immutable; equal when network and prefix length are.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses CIDR text.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static Cidr parse(String text) {
        String s = text == null ? "" : text.strip();
        int slash = s.indexOf('/');
        InetAddress address = IpAddresses.parseLiteral(slash >= 0 ? s.substring(0, slash) : s);
        byte[] bytes = address.getAddress();
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " is more than " + max + " in " + text);
            }
        }
        return new Cidr(mask(bytes, prefix), prefix, s);
    }

    /** Whether {@code address} lies in this network. */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(candidate, prefixLength), network);
    }

    /** Whether {@code other} lies wholly in this network (a network contains itself). */
    public boolean contains(Cidr other) {
        return other.network.length == network.length
                && other.prefixLength >= prefixLength
                && Arrays.equals(mask(other.network, prefixLength), network);
    }

    /** Whether any of {@code networks} contains {@code address}; false for none. */
    public static boolean anyContains(List<Cidr> networks, InetAddress address) {
        for (Cidr cidr : networks) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    /** The network address, its host bits zero. */
    public byte[] network() {
        return network.clone();
    }

    /** The network address, its host bits zero, as an address. */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(network); // raw bytes: never a lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a network is 4 or 16 bytes", e);
        }
    }

    /** {@code network/prefix}, the network in canonical text ({@link IpAddresses#canonical}). */
    public String canonicalText() {
        return IpAddresses.canonical(address()) + "/" + prefixLength;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The text it was parsed from, stripped. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }
}
