package io.cdpaccess.meters;

import io.cdpaccess.config.RestartNeeded;
import io.cdpaccess.ops.Metrics;
import io.micrometer.core.instrument.Gauge;

/**
 * {@code cdp_access_restart_needed{setting=...}}: 1 while the configuration file, as last
 * reloaded, changes a setting that applies only at the next restart. One series per setting from
 * the start, 0 or 1, so an alert sees the first edit.
 */
public final class RestartMeters {

    private RestartMeters() {}

    public static void register(Metrics metrics, RestartNeeded restart) {
        for (String setting : RestartNeeded.SETTINGS) {
            Gauge.builder("cdp_access.restart.needed", restart, r -> r.needed(setting) ? 1 : 0)
                    .description("1 while the reloaded configuration file changes this setting, which applies"
                            + " only at the next restart (the log names it)")
                    .tag("setting", setting)
                    .register(metrics.registry());
        }
    }
}
