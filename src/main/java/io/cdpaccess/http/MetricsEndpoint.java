package io.cdpaccess.http;

import io.cdpaccess.access.Callers;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.net.Cidr;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.protocol.Answer;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format, for callers in
 * {@code metrics.allow_from}. The caller is worked out as for {@code /user-access}, believing
 * {@code X-Forwarded-For} only from trusted proxies. The meters name instances and policy rules
 * and show traffic and refusals, which would help someone probing the service, so anyone else gets
 * 403 {@code 0}.
 */
final class MetricsEndpoint implements Handler {

    static final String PATH = "/metrics";

    private final Supplier<Callers> callers;
    private final Metrics metrics;
    private final RequestMeters meters;

    /** @param callers trusted proxies and {@code metrics.allow_from}, as last reloaded */
    MetricsEndpoint(Supplier<Callers> callers, Metrics metrics, RequestMeters meters) {
        this.callers = callers;
        this.metrics = metrics;
        this.meters = meters;
    }

    @Override
    public void handle(Context ctx) {
        Callers current = callers.get();
        if (!Cidr.anyContains(
                current.metricsAllowFrom(),
                current.address().resolve(Exchanges.peer(ctx), Exchanges.forwardedFor(ctx)))) {
            meters.metricsRead(false);
            Exchanges.answer(ctx, Answer.FORBIDDEN);
            return;
        }
        meters.metricsRead(true);
        ctx.status(200)
                .contentType(Metrics.CONTENT_TYPE)
                .header("Cache-Control", "no-store")
                .result(metrics.scrape());
    }
}
