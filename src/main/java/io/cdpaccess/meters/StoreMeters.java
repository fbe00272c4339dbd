package io.cdpaccess.meters;

import io.cdpaccess.ops.Metrics;
import io.cdpaccess.store.LiveSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;

/**
 * The store's meters, read from {@link LiveSnapshot} at each scrape: whether the store answers,
 * which version of it decisions are made from, and how long ago that was confirmed. Servers
 * sharing one database should all show the same version within {@code store.refresh_interval}.
 * The connection pool's own meters ({@code hikaricp_*}) come from {@link Database}.
 */
public final class StoreMeters {

    private StoreMeters() {}

    /** Registers the meters of {@code snapshot}; they read it for as long as the registry lives. */
    public static void register(Metrics metrics, LiveSnapshot snapshot) {
        Gauge.builder("cdp_access.store.reachable", snapshot, s -> s.health().reachable() ? 1 : 0)
                .description("1 while the last poll of the store succeeded; 0 while decisions use the last snapshot "
                        + "and cannot be recorded")
                .register(metrics.registry());
        Gauge.builder(
                        "cdp_access.store.refreshed.timestamp",
                        snapshot,
                        s -> s.health().lastSuccess().toEpochMilli() / 1e3)
                .description("When the snapshot in use was last confirmed current with the store (Unix time)")
                .baseUnit("seconds")
                .register(metrics.registry());
        Gauge.builder(
                        "cdp_access.store.snapshot.version",
                        snapshot,
                        s -> s.get().version())
                .description("The store version (change counter) of the snapshot decisions are made from")
                .register(metrics.registry());
        Gauge.builder("cdp_access.store.snapshot.grants", snapshot, s -> s.get().grantCount())
                .description(
                        "Grant rows in the snapshot decisions are made from (active, ended and revoked; it grows with history)")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.store.snapshot.reloads", snapshot, LiveSnapshot::reloads)
                .description("Snapshots reloaded because the store changed")
                .register(metrics.registry());
        FunctionCounter.builder("cdp_access.store.poll.failures", snapshot, LiveSnapshot::failedPolls)
                .description("Polls of the store's version that failed")
                .register(metrics.registry());
    }
}
