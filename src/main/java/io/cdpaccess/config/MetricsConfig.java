package io.cdpaccess.config;

import io.cdpaccess.net.Cidr;
import java.util.List;

/**
 * Who may read {@code GET /metrics} on the REDCap-facing listener. The meters name instances and
 * policy rules and show traffic, so by default only this host may read them.
 *
 * @param enabled whether the route exists at all
 * @param allowFrom networks a caller (after trusted-proxy resolution) must be in
 */
public record MetricsConfig(boolean enabled, List<Cidr> allowFrom) {

    public static final MetricsConfig DEFAULT =
            new MetricsConfig(true, List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));

    public MetricsConfig {
        allowFrom = List.copyOf(allowFrom);
    }
}
