package io.cdpaccess;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.ids.Sha256;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.store.ChangeValues;
import io.cdpaccess.store.Store;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The server's own events in the record of changes, chained with the administrators' changes:
 * started (its version, a digest of its configuration with every secret left out, its policy),
 * a policy reload (the rules' SHA-256 and names, and each caller setting that changed, a secret
 * only as {@code changed}), and stopped.
 */
final class ServiceEvents {

    /** Who the server's own events are by; the chain's start names its process and account. */
    static final String ACTOR = "cdp-access server";

    private final Store store;

    ServiceEvents(Store store) {
        this.store = store;
    }

    /** The service started with {@code config}. */
    void started(ServiceConfig config) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("version", version());
        after.put("pid", ProcessHandle.current().pid());
        // Records' toString never shows a secret (Secret, CallerSecret): a digest of the configuration without them.
        after.put("config_sha256", HexFormat.of().formatHex(Sha256.of(config.toString())));
        after.putAll(policy(config));
        after.put("instances", instances(config));
        record("service.start", "cdp-access " + version(), ChangeValues.of(null, after));
    }

    /** The policy file was reloaded and accepted: what changed in its rules and caller settings. */
    void reloaded(ServiceConfig before, ServiceConfig after) {
        Map<String, Object> was = new LinkedHashMap<>(policy(before));
        Map<String, Object> is = new LinkedHashMap<>(policy(after));
        Map<String, Map<String, Object>> oldInstances = byName(before);
        Map<String, Map<String, Object>> newInstances = byName(after);
        for (InstanceConfig i : after.instances()) {
            InstanceConfig old = before.instances().stream()
                    .filter(o -> o.name().equals(i.name()))
                    .findFirst()
                    .orElse(null);
            if (old != null && !old.secret().sameAs(i.secret())) {
                newInstances.get(i.name()).put("secret", "changed");
            }
        }
        was.put("instances", List.copyOf(oldInstances.values()));
        is.put("instances", List.copyOf(newInstances.values()));
        if (!was.equals(is)) {
            record("policy.reload", after.source().toString(), ChangeValues.of(was, is));
        }
    }

    /** The service is stopping. */
    void stopped() {
        record("service.stop", "cdp-access " + version(), ChangeValues.NONE);
    }

    private void record(String action, String subject, ChangeValues values) {
        try {
            store.recordEvent(ACTOR, action, subject, values);
        } catch (RuntimeException e) {
            // The store is the record: an event it could not take is said in the log, never hidden.
            LoggerFactory.getLogger(ServiceEvents.class).error("{} not recorded: {}", action, e.getMessage());
        }
    }

    private static Map<String, Object> policy(ServiceConfig config) {
        PolicySpec spec = config.policy().orElseGet(Policies::defaultSpec);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("policy", config.policy().isPresent() ? config.source().toString() : "the default policy");
        p.put("policy_sha256", PolicyCompiler.sha256(spec));
        p.put("rules", spec.rules().stream().map(RuleSpec::name).toList());
        return p;
    }

    private static List<Map<String, Object>> instances(ServiceConfig config) {
        return List.copyOf(byName(config).values());
    }

    private static Map<String, Map<String, Object>> byName(ServiceConfig config) {
        return config.instances().stream()
                .collect(Collectors.toMap(
                        InstanceConfig::name,
                        i -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("name", i.name());
                            m.put(
                                    "redcap_url",
                                    i.redcapUrl().map(Object::toString).orElse(null));
                            m.put(
                                    "allow_from",
                                    i.allowFrom().stream().map(Object::toString).toList());
                            return m;
                        },
                        (a, b) -> a,
                        LinkedHashMap::new));
    }

    private static String version() {
        return Optional.ofNullable(ServiceEvents.class.getPackage().getImplementationVersion())
                .orElse("development build");
    }
}
