package io.cdpaccess.meters;

import io.cdpaccess.ops.Metrics;
import io.micrometer.core.instrument.Gauge;
import java.util.function.BooleanSupplier;

/** {@code cdp_access_ready}: what {@code /health/ready} says, as a gauge to alert on. */
public final class ReadinessMeters {

    private ReadinessMeters() {}

    /** Registers the gauge; {@code ready} is asked at each scrape. */
    public static void register(Metrics metrics, BooleanSupplier ready) {
        Gauge.builder("cdp_access.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description(
                        "1 when decisions can be made and recorded (as /health/ready says), else 0: answers are 503")
                .strongReference(true) // nothing else holds the supplier, and a gauge holds its object weakly
                .register(metrics.registry());
    }
}
