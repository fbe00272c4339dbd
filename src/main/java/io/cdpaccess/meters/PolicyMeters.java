package io.cdpaccess.meters;

import io.cdpaccess.ops.Metrics;
import io.cdpaccess.policy.LivePolicy;
import io.cdpaccess.policy.LivePolicy.ReloadResult;
import io.cdpaccess.policy.LivePolicy.StaleReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;

/**
 * The policy's meters, read from {@link LivePolicy} at each scrape: whether the policy serving
 * is stale (a reload was refused) and in which category, how reloads ended, when the serving
 * policy was loaded, and which version it is. The full reason stays in the log: a time series
 * label must come from a small fixed set, and problem text names files, lines and rules.
 */
public final class PolicyMeters {

    private PolicyMeters() {}

    /** Registers the meters of {@code policy}; they read it for as long as the registry lives. */
    public static void register(Metrics metrics, LivePolicy<?> policy) {
        // One series per category, 0 or 1, rather than one series whose label changes: a series
        // that appears and disappears looks to Prometheus like a gap, and alerts would flap.
        for (StaleReason reason : StaleReason.values()) {
            Gauge.builder(
                            "cdp_access.policy.stale",
                            policy,
                            p -> p.status().staleReason().map(reason::equals).orElse(false) ? 1 : 0)
                    .description("1 while the last policy reload was refused for this reason and the last good "
                            + "policy keeps serving; the log says why")
                    .tag("reason", reason.label())
                    .register(metrics.registry());
        }
        for (ReloadResult result : ReloadResult.values()) {
            FunctionCounter.builder("cdp_access.policy.reloads", policy, p -> p.reloads(result))
                    .description("Policy reloads (file change, policy reload, SIGHUP) by how they ended")
                    .tag("result", result.label())
                    .register(metrics.registry());
        }
        Gauge.builder(
                        "cdp_access.policy.loaded.timestamp",
                        policy,
                        p -> p.status().loadedAt().toEpochMilli() / 1e3)
                .description("When the policy serving was last loaded successfully (Unix time)")
                .baseUnit("seconds")
                .register(metrics.registry());
        Gauge.builder("cdp_access.policy.rules", policy, p -> p.get().ruleCount())
                .description("Rules in the policy serving")
                .register(metrics.registry());
        metrics.info(
                "cdp_access.policy.info",
                "The version of the policy serving (as recorded with each decision)",
                () -> Tags.of("version", policy.status().version()));
    }
}
