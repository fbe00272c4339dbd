package io.cdpaccess.http;

import io.cdpaccess.access.CallerAddress;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.net.Cidr;
import io.cdpaccess.ops.Metrics;
import io.cdpaccess.protocol.Answer;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format, for callers in
 * {@code metrics.allow_from}. The caller is worked out as for {@code /user-access}, believing
 * {@code X-Forwarded-For} only from trusted proxies. The meters name instances and policy rules
 * and show traffic and refusals, which would help someone probing the service, so anyone else gets
 * 403 {@code 0}.
 */
final class MetricsEndpoint implements Handler {

    static final String PATH = "/metrics";

    private final CallerAddress callerAddress;
    private final List<Cidr> allowFrom;
    private final Metrics metrics;
    private final RequestMeters meters;

    MetricsEndpoint(CallerAddress callerAddress, List<Cidr> allowFrom, Metrics metrics, RequestMeters meters) {
        this.callerAddress = callerAddress;
        this.allowFrom = List.copyOf(allowFrom);
        this.metrics = metrics;
        this.meters = meters;
    }

    @Override
    public void handle(Context ctx) {
        if (!Cidr.anyContains(allowFrom, callerAddress.resolve(Exchanges.peer(ctx), Exchanges.forwardedFor(ctx)))) {
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
