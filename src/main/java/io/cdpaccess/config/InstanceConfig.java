package io.cdpaccess.config;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.protocol.RedcapUrl;
import java.util.List;
import java.util.Optional;

/**
 * One REDCap installation allowed to call the service.
 *
 * @param name short identifier used in grants and the decision log ({@code prod}, {@code test})
 * @param redcapUrl the installation's base URL; empty means any URL ({@code "*"} in YAML), which
 *     the embedded default uses until an administrator binds it
 * @param secret the caller secret
 * @param allowFrom networks the calls may come from; empty means anywhere
 */
public record InstanceConfig(String name, Optional<RedcapUrl> redcapUrl, CallerSecret secret, List<Cidr> allowFrom) {

    public InstanceConfig {
        allowFrom = List.copyOf(allowFrom);
    }

    /** Whether a request naming {@code url} may be answered for this instance. */
    public boolean answersFor(RedcapUrl url) {
        return redcapUrl.map(bound -> bound.equals(url)).orElse(true);
    }
}
