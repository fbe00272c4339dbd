package io.cdpaccess.access;

import io.cdpaccess.config.CallerSecret;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.net.Cidr;
import java.time.Clock;
import java.util.List;

/**
 * Everything that decides who may call the listener, as one immutable value: the instances
 * (secrets, {@code allow_from}, {@code redcap_url}), the trusted proxies, the allowance of failed
 * authentications and who may read {@code /metrics}. A reload replaces the whole value at once
 * ({@link LiveCallers}) and a request reads it once, so a request authenticated by one secret is
 * never checked against another set's address list or {@code redcap_url}.
 */
public record Callers(
        List<InstanceConfig> instances,
        CallerAddress address,
        CallerGuard guard,
        AuthFailureLimiter limiter,
        List<Cidr> metricsAllowFrom) {

    public Callers {
        instances = List.copyOf(instances);
        metricsAllowFrom = List.copyOf(metricsAllowFrom);
    }

    /** The callers a configuration names, with a new allowance of failures. */
    public static Callers of(ServiceConfig config, Clock clock) {
        return with(config, new AuthFailureLimiter(config.authFailures(), clock));
    }

    /**
     * The one caller of the warm-up's rehearsals: {@code instance} under a secret of the warm-up's
     * own, from any address, with an allowance of failures of its own, so that a rehearsal passes
     * the caller checks whatever the configured secret (plain or hashed) and {@code allow_from}
     * are, and leaves the real callers' limiter as it was.
     */
    public static Callers rehearsal(ServiceConfig config, InstanceConfig instance, CallerSecret secret, Clock clock) {
        InstanceConfig standIn = new InstanceConfig(instance.name(), instance.redcapUrl(), secret, List.of());
        AuthFailureLimiter limiter = new AuthFailureLimiter(config.authFailures(), clock);
        return new Callers(
                List.of(standIn),
                new CallerAddress(List.of()),
                new CallerGuard(List.of(standIn), limiter),
                limiter,
                List.of());
    }

    /**
     * The callers of a reloaded configuration. The limiter is kept while {@code auth_failures} is
     * unchanged, so a reload does not hand a guesser a fresh allowance; a changed one starts anew.
     */
    Callers next(ServiceConfig config) {
        return with(config, limiter.withLimit(config.authFailures()));
    }

    private static Callers with(ServiceConfig config, AuthFailureLimiter limiter) {
        return new Callers(
                config.instances(),
                new CallerAddress(config.trustedProxies()),
                new CallerGuard(config.instances(), limiter),
                limiter,
                config.metrics().allowFrom());
    }
}
