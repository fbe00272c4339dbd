package io.cdpaccess.config;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.policy.PolicySpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The whole validated configuration, immutable once loaded.
 *
 * @param source the file it was read from
 * @param listen the REDCap-facing listener's address
 * @param dataDir directory for the embedded database and generated files
 * @param zone zone in which dates typed by people ("until 2027-06-30") are read
 * @param deadline the longest any answer may take
 * @param store the service's own database
 * @param instances the REDCap installations allowed to call
 * @param trustedProxies addresses whose {@code X-Forwarded-For} is believed
 * @param tls HTTPS settings, when the listener should speak HTTPS
 * @param authFailures rate limit of failed authentications per address
 * @param policy the rules, when the configuration has a {@code policy} key (else the default policy)
 * @param sources the fact sources rules may read, in configuration order
 * @param metrics whether {@code GET /metrics} is served, and to whom
 * @param audit where the record's checkpoints go
 */
public record ServiceConfig(
        Path source,
        HostPort listen,
        Path dataDir,
        ZoneId zone,
        Duration deadline,
        StoreConfig store,
        List<InstanceConfig> instances,
        List<Cidr> trustedProxies,
        Optional<TlsConfig> tls,
        AuthFailureLimit authFailures,
        Optional<PolicySpec> policy,
        List<SourceConfig> sources,
        MetricsConfig metrics,
        AuditConfig audit) {

    public ServiceConfig {
        sources = List.copyOf(sources);
        instances = List.copyOf(instances);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** This configuration listening at {@code address} instead (as {@code serve --listen} says). */
    public ServiceConfig withListen(HostPort address) {
        return new ServiceConfig(
                source,
                address,
                dataDir,
                zone,
                deadline,
                store,
                instances,
                trustedProxies,
                tls,
                authFailures,
                policy,
                sources,
                metrics,
                audit);
    }

    /** The instance with this name, if configured. */
    public Optional<InstanceConfig> instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /** Instance names, in configuration order, for messages such as "configured: prod, test". */
    public String instanceNames() {
        return String.join(", ", instances.stream().map(InstanceConfig::name).toList());
    }
}
