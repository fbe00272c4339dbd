package io.cdpaccess.access;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Callers} in force, replaced by a reload of the configuration file as the policy is:
 * one atomic swap of an immutable value, so an edited or leaked secret stops working as soon as
 * the file is reloaded, not at the next restart. A reload that is refused never gets here, so
 * the last good set keeps serving with the last good policy.
 */
public final class LiveCallers implements Supplier<Callers> {

    private static final Logger log = LoggerFactory.getLogger(LiveCallers.class);

    private final AtomicReference<Callers> current;

    public LiveCallers(ServiceConfig config, Clock clock) {
        this.current = new AtomicReference<>(Callers.of(config, clock));
    }

    @Override
    public Callers get() {
        return current.get();
    }

    /** Replaces the callers with those of a reloaded configuration, logging what changed (never a secret). */
    public void apply(ServiceConfig config) {
        Callers previous = current.get();
        Callers next = previous.next(config);
        current.set(next);
        List<String> changes = changes(previous, next);
        if (!changes.isEmpty()) {
            log.info("caller settings reloaded: {}", String.join("; ", changes));
        }
    }

    /** What differs, by name: secrets are compared by digest and reported only as changed. */
    static List<String> changes(Callers before, Callers after) {
        List<String> changes = new ArrayList<>();
        Map<String, InstanceConfig> old = byName(before.instances());
        Map<String, InstanceConfig> now = byName(after.instances());
        for (InstanceConfig instance : after.instances()) {
            InstanceConfig was = old.get(instance.name());
            if (was == null) {
                changes.add("instance " + instance.name() + " added");
                continue;
            }
            List<String> what = new ArrayList<>();
            if (!was.secret().sameAs(instance.secret())) {
                what.add("secret");
            }
            if (!was.allowFrom().equals(instance.allowFrom())) {
                what.add("allow_from");
            }
            if (!was.redcapUrl().equals(instance.redcapUrl())) {
                what.add("redcap_url");
            }
            if (!what.isEmpty()) {
                changes.add("instance " + instance.name() + ": " + String.join(", ", what) + " changed");
            }
        }
        old.keySet().stream()
                .filter(name -> !now.containsKey(name))
                .forEach(name -> changes.add("instance " + name + " removed"));
        if (!Objects.equals(trusted(before), trusted(after))) {
            changes.add("trusted_proxies changed");
        }
        if (before.limiter() != after.limiter()) {
            changes.add("auth_failures changed (failure counts start anew)");
        }
        if (!before.metricsAllowFrom().equals(after.metricsAllowFrom())) {
            changes.add("metrics.allow_from changed");
        }
        return changes;
    }

    private static List<?> trusted(Callers callers) {
        return callers.address().trustedProxies();
    }

    private static Map<String, InstanceConfig> byName(List<InstanceConfig> instances) {
        return instances.stream()
                .collect(Collectors.toMap(
                        InstanceConfig::name, Function.identity(), (a, b) -> a, java.util.LinkedHashMap::new));
    }
}
