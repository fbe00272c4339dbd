package io.cdpaccess.http;

import io.cdpaccess.access.Answered;
import io.cdpaccess.access.Incoming;
import io.cdpaccess.access.UserAccess;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.ops.LogText;
import io.cdpaccess.protocol.Answer;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /user-access} on Javalin: turns the exchange into an {@link Incoming}, lets
 * {@link UserAccess} answer it (recorded before it returns), writes the answer with its
 * {@code X-Decision-Id}, then counts it and logs one line for it. The deciding is not done here.
 */
final class UserAccessHandler implements Handler {

    static final String DECISION_ID_HEADER = "X-Decision-Id";

    private static final Logger decisions = LoggerFactory.getLogger("cdp-access.decision");
    private static final Logger log = LoggerFactory.getLogger(UserAccessHandler.class);

    private final UserAccess userAccess;
    private final RequestMeters meters;

    UserAccessHandler(UserAccess userAccess, RequestMeters meters) {
        this.userAccess = userAccess;
        this.meters = meters;
    }

    @Override
    public void handle(Context ctx) {
        Answered answered = userAccess.answer(incoming(ctx));
        DecisionRecord r = answered.record();
        Exchanges.answer(ctx, answered.answer());
        ctx.header(DECISION_ID_HEADER, r.decisionId());
        if (answered.answer() == Answer.METHOD_NOT_ALLOWED) {
            ctx.header("Allow", "POST");
        }
        try {
            meters.answered(
                    r.instance(),
                    r.effect(),
                    r.reason(),
                    answered.answer(),
                    answered.deadline().elapsedNanos());
        } catch (RuntimeException e) {
            // Counting must never change an answer that is already decided and recorded.
            log.warn("could not count decision {}: {}", r.decisionId(), e.toString());
        }
        decisions.info(
                "decision={} effect={} status={} reason={} instance={} user={} project={} caller={} latency_us={}",
                r.decisionId(),
                r.effect().label(),
                r.httpStatus(),
                r.reason(),
                r.instance().orElse("-"),
                LogText.quote(r.user().orElse(null)),
                LogText.quote(r.projectId().orElse(null)),
                r.callerIp(),
                r.latencyMicros());
    }

    private static Incoming incoming(Context ctx) {
        List<String> secrets = ctx.queryParams("secret");
        return new Incoming(
                ctx.req().getMethod(),
                ctx.req().getRemoteAddr(),
                Exchanges.forwardedFor(ctx),
                secrets,
                Optional.ofNullable(ctx.header("Authorization")),
                Optional.ofNullable(ctx.req().getContentType()),
                new Incoming.Body() {
                    @Override
                    public long declaredLength() {
                        return ctx.req().getContentLengthLong();
                    }

                    @Override
                    public byte[] readAtMost(int limit) throws IOException {
                        return ctx.req().getInputStream().readNBytes(limit);
                    }
                });
    }
}
