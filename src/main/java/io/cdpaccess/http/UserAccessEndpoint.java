package io.cdpaccess.http;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.decision.Effect;
import io.cdpaccess.decision.Reason;
import io.cdpaccess.ops.LogText;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.protocol.Ids;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RequestParser;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /user-access}: the call REDCap makes before a user may fetch EHR data.
 *
 * <p>Order of checks: method (405), caller (429 lock-out, 403 secret or address), body size
 * (413), body form (200 {@code 0} for malformed or empty), then the decision. Whatever the
 * outcome, the record is committed to the decision log <em>before</em> the answer is written;
 * if it cannot be, the answer is 503 {@code 0}. Every path, including unexpected exceptions,
 * ends in one of the {@link Answer} constants, so only a completed allow ever writes {@code 1}.
 */
final class UserAccessEndpoint implements Handler {

    static final int MAX_BODY_BYTES = 16 * 1024;
    static final String DECISION_ID_HEADER = "X-Decision-Id";

    private static final Logger decisions = LoggerFactory.getLogger("cdp-access.decision");
    private static final Logger log = LoggerFactory.getLogger(UserAccessEndpoint.class);

    private final CallerAddress callerAddress;
    private final CallerGuard guard;
    private final Decider decider;
    private final DecisionLog decisionLog;
    private final RequestMeters meters;
    private final Clock clock;
    private final Duration deadline;

    UserAccessEndpoint(CallerAddress callerAddress, CallerGuard guard, Decider decider, DecisionLog decisionLog,
                       RequestMeters meters, Clock clock, Duration deadline) {
        this.callerAddress = callerAddress;
        this.guard = guard;
        this.decider = decider;
        this.decisionLog = decisionLog;
        this.meters = meters;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** What is known about a request as it moves through the checks; becomes the record. */
    private static final class Exchange {
        final String id;
        final long startNanos;
        final Instant receivedAt;
        InetAddress peer;
        InetAddress caller;
        Optional<InstanceConfig> instance = Optional.empty();
        String user;
        String normalizedUser;
        String projectId;
        String redcapUrl;
        Effect effect;
        String reason;
        String detail;
        Optional<String> grantId = Optional.empty();
        Optional<String> explanation = Optional.empty();
        Optional<String> policyVersion = Optional.empty();
        Answer answer;

        Exchange(String id, long startNanos, Instant receivedAt) {
            this.id = id;
            this.startNanos = startNanos;
            this.receivedAt = receivedAt;
        }

        void conclude(Effect effect, Reason reason, String detail, Answer answer) {
            conclude(effect, reason.code(), detail, answer);
        }

        void conclude(Effect effect, String reason, String detail, Answer answer) {
            this.effect = effect;
            this.reason = reason;
            this.detail = detail;
            this.answer = answer;
        }
    }

    @Override
    public void handle(Context ctx) {
        Exchange ex = new Exchange(Ids.next(clock), System.nanoTime(), clock.instant());
        try {
            evaluate(ctx, ex);
        } catch (RuntimeException | Error e) {
            // Even an Error (out of memory) ends as 503 "0": Jetty's own answer would be a 500.
            log.error("unexpected error deciding request {}", ex.id, e);
            ex.conclude(Effect.ERROR, Reason.INTERNAL_ERROR, e.getClass().getSimpleName(), Answer.UNAVAILABLE);
        }
        long latencyMicros = (System.nanoTime() - ex.startNanos) / 1_000;
        record(ex, latencyMicros);
        write(ctx, ex);
        try {
            meters.answered(ex.instance, ex.effect, ex.reason, ex.answer, System.nanoTime() - ex.startNanos);
        } catch (RuntimeException e) {
            // Counting must never change an answer that is already decided and recorded.
            log.warn("could not count decision {}: {}", ex.id, e.toString());
        }
        decisions.info("decision={} effect={} status={} reason={} instance={} user={} project={} caller={} latency_us={}",
                ex.id, ex.effect.label(), ex.answer.status(), ex.reason, ex.instance.map(InstanceConfig::name)
                        .orElse("-"), LogText.quote(ex.user), LogText.quote(ex.projectId),
                ex.caller == null ? "-" : ex.caller.getHostAddress(), latencyMicros);
    }

    private void evaluate(Context ctx, Exchange ex) {
        ex.peer = CallerAddress.peer(ctx);
        ex.caller = callerAddress.resolve(ex.peer, CallerAddress.forwardedFor(ctx));
        if (!"POST".equals(ctx.req().getMethod())) {
            ex.conclude(Effect.REJECTED, Reason.METHOD_NOT_ALLOWED, ctx.req().getMethod(), Answer.METHOD_NOT_ALLOWED);
            return;
        }
        CallerGuard.Verdict verdict = guard.check(ex.caller, ctx.queryParams("secret"), ctx.header("Authorization"));
        if (!verdict.accepted()) {
            ex.conclude(Effect.REJECTED, verdict.reason(), null, verdict.answer());
            return;
        }
        ex.instance = verdict.instance();
        byte[] body;
        try {
            body = readBody(ctx);
        } catch (BodyTooLarge e) {
            ex.conclude(Effect.REJECTED, Reason.BODY_TOO_LARGE, e.getMessage(), Answer.TOO_LARGE);
            return;
        } catch (IOException e) {
            ex.conclude(Effect.DENY, Reason.BAD_REQUEST, "body could not be read: " + e.getClass().getSimpleName(),
                    Answer.DENY);
            return;
        }
        ParsedBody parsed = RequestParser.parse(body, ctx.req().getContentType());
        if (parsed instanceof ParsedBody.Invalid invalid) {
            ex.user = invalid.user();
            ex.projectId = invalid.projectId();
            ex.redcapUrl = invalid.redcapUrl();
            ex.conclude(Effect.DENY, invalid.empty() ? Reason.EMPTY_REQUEST : Reason.BAD_REQUEST, invalid.problem(),
                    Answer.DENY);
            return;
        }
        AccessRequest request = ((ParsedBody.Valid) parsed).request();
        ex.user = request.user();
        ex.normalizedUser = request.normalizedUser();
        ex.projectId = Long.toString(request.projectId());
        ex.redcapUrl = request.redcapUrl().value();
        Decision decision = decider.decide(ex.instance.get(), request, Optional.of(ex.caller.getHostAddress()),
                ex.receivedAt.plus(deadline));
        ex.grantId = decision.grantId();
        ex.explanation = decision.explanationJson();
        ex.policyVersion = decision.explanation().map(PolicyResult::policyVersion);
        Answer answer = switch (decision.effect()) {
            case ALLOW -> Answer.ALLOW;
            case DENY -> Answer.DENY;
            default -> Answer.UNAVAILABLE;
        };
        ex.conclude(decision.effect(), decision.reason(), decision.detail(), answer);
    }

    /** Commits the record, turning the answer into 503 if that fails or the deadline passes first. */
    private void record(Exchange ex, long latencyMicros) {
        DecisionRecord record = new DecisionRecord(ex.id, ex.receivedAt, ex.instance.map(InstanceConfig::name),
                Optional.ofNullable(ex.user), Optional.ofNullable(ex.normalizedUser), Optional.ofNullable(ex.projectId),
                Optional.ofNullable(ex.redcapUrl), address(ex.caller), address(ex.peer), ex.effect.label(),
                ex.reason, Optional.ofNullable(ex.detail), ex.answer.status(), latencyMicros, ex.grantId,
                ex.policyVersion, ex.explanation);
        Duration remaining = deadline.minusNanos(System.nanoTime() - ex.startNanos);
        DecisionLog.Outcome outcome = decisionLog.append(record, remaining);
        if (outcome != DecisionLog.Outcome.COMMITTED) {
            Reason reason = outcome == DecisionLog.Outcome.TIMED_OUT ? Reason.DEADLINE_EXCEEDED : Reason.LOG_UNAVAILABLE;
            ex.conclude(Effect.ERROR, reason, "was " + ex.effect.label() + "/" + ex.reason, Answer.UNAVAILABLE);
            ex.grantId = Optional.empty();
        }
    }

    private static void write(Context ctx, Exchange ex) {
        RedcapListener.answer(ctx, ex.answer);
        ctx.header(DECISION_ID_HEADER, ex.id);
        if (ex.answer == Answer.METHOD_NOT_ALLOWED) {
            ctx.header("Allow", "POST");
        }
    }

    private static final class BodyTooLarge extends Exception {
        BodyTooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private static byte[] readBody(Context ctx) throws IOException, BodyTooLarge {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw new BodyTooLarge("Content-Length " + declared);
        }
        byte[] body = ctx.req().getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new BodyTooLarge("more than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    private static String address(InetAddress a) {
        return a == null ? "-" : a.getHostAddress();
    }
}
