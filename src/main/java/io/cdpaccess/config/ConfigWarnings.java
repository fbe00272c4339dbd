package io.cdpaccess.config;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Settings that are valid but rarely what an administrator meant, for {@code config validate} to
 * point out without failing: a trusted proxy range that covers every address (then anyone can
 * write {@code X-Forwarded-For} and pass any {@code allow_from}), a listener on every interface
 * without TLS (secrets and answers cross the network in clear text), and an in-memory store
 * (grants and the decision log would vanish at each restart).
 */
public final class ConfigWarnings {

    private ConfigWarnings() {}

    /** One line each, without the {@code warning:} prefix. */
    public static List<String> of(ServiceConfig config) {
        List<String> warnings = new ArrayList<>();
        for (Cidr proxy : config.trustedProxies()) {
            if (coversEverything(proxy)) {
                warnings.add("trusted_proxies: " + proxy + " covers every address, so any caller can forge"
                        + " X-Forwarded-For and pass allow_from; list only your proxies' addresses");
            }
        }
        if (config.tls().isEmpty() && onEveryInterface(config.listen().host())) {
            warnings.add("listen: " + config.listen() + " accepts calls from the network over plain HTTP, so"
                    + " secrets and answers travel unencrypted; configure tls (tls.self_signed is enough for REDCap)");
        }
        if (inMemory(config.store().url())) {
            warnings.add("store.url: an in-memory database loses grants and the decision log at every restart"
                    + " (serve refuses it); use jdbc:sqlite:/path/to/store.db or a server database");
        }
        for (SourceConfig source : config.sources()) {
            if (source.settings() instanceof RosterSettings roster && !java.nio.file.Files.exists(roster.file())) {
                warnings.add("sources." + source.name() + ".file: " + roster.file() + " does not exist (yet); until a"
                        + " good file is there, decisions that read " + source.name() + " deny");
            }
        }
        return warnings;
    }

    private static boolean coversEverything(Cidr cidr) {
        byte[] network = cidr.network();
        byte[] lowest = new byte[network.length];
        byte[] highest = new byte[network.length];
        java.util.Arrays.fill(highest, (byte) 0xff);
        return cidr.contains(address(lowest)) && cidr.contains(address(highest));
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static boolean onEveryInterface(String host) {
        try {
            return host.isEmpty() || IpAddresses.parseLiteral(host).isAnyLocalAddress();
        } catch (IllegalArgumentException aName) {
            return false; // a host name names interfaces of its own
        }
    }

    private static boolean inMemory(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (!u.startsWith("jdbc:sqlite:")) {
            return false;
        }
        String rest = u.substring("jdbc:sqlite:".length());
        return rest.isEmpty() || rest.contains(":memory:") || rest.contains("mode=memory");
    }
}
