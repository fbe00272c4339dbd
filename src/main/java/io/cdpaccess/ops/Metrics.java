package io.cdpaccess.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The service's meters: one Prometheus registry per running service, created by
 * {@code Application} and handed to whatever records into it (never a global registry, so two
 * services in one JVM, as in tests, count apart). JVM and process meters are bound here; each
 * component's own meters are registered next to the component, by the package that knows what
 * they mean.
 *
 * <p>Labels carry only bounded values (instance names, rule names, fixed codes), never
 * usernames, project ids or free text: each label value makes a time series that Prometheus keeps.
 */
public final class Metrics implements AutoCloseable {

    /**
     * Prometheus' text exposition format 0.0.4, which every Prometheus server and agent reads; a
     * scrape without a content type is refused by Prometheus 3.
     */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    /**
     * A registry with the JVM's memory, collections, threads, class loading, processor, uptime and
     * file descriptors bound. Micrometer keeps its own monotonic clock: the service's injected
     * {@code java.time.Clock} pins wall time in tests, and timers must still measure real time.
     */
    public Metrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmInfoMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        gc = new JvmGcMetrics(); // listens to GC notifications until closed
        gc.bindTo(registry);
    }

    /** Where components register their meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * An info-style gauge: one series of value 1 whose labels describe the current state (the
     * policy version serving). Labels are read at each scrape, and the series of a previous state
     * disappears, so joins on the info series see only what is true now.
     */
    public void info(String name, String description, Supplier<Tags> labels) {
        MultiGauge gauge = MultiGauge.builder(name).description(description).register(registry);
        Runnable refresh = () -> gauge.register(List.of(MultiGauge.Row.of(labels.get(), 1)), true);
        refresh.run();
        beforeScrape.add(refresh);
    }

    /** Every meter, in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        synchronized (beforeScrape) { // two scrapes at once must not interleave an info gauge's rows
            beforeScrape.forEach(Runnable::run);
            return registry.scrape(CONTENT_TYPE);
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
