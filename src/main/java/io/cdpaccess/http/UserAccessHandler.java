package io.cdpaccess.http;

import io.cdpaccess.access.Answered;
import io.cdpaccess.access.Incoming;
import io.cdpaccess.access.UserAccess;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.meters.RequestMeters;
import io.cdpaccess.ops.LogText;
import io.cdpaccess.outcome.Reason;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /user-access} on Javalin: turns the exchange into an {@link Incoming}, lets
 * {@link UserAccess} answer it (recorded before it returns), writes the answer with its
 * {@code X-Decision-Id} and {@code X-Decision-Reason} — a slowed caller's only after its hold-back,
 * asynchronously — then counts it and logs one line for it. The deciding is not done here.
 */
final class UserAccessHandler implements Handler {

    static final String DECISION_ID_HEADER = "X-Decision-Id";

    /**
     * The recorded reason code, for {@code cdp-access doctor} and administrators with curl: a
     * refusal's code says nothing a caller could use (the codes are public), and a decision's
     * reaches only the installation holding the secret.
     */
    static final String DECISION_REASON_HEADER = "X-Decision-Reason";

    /** Most answers of slowed callers waiting at once. */
    static final int MAX_HELD_BACK = 10_000;

    private static final Logger decisions = LoggerFactory.getLogger("cdp-access.decision");
    private static final Logger log = LoggerFactory.getLogger(UserAccessHandler.class);

    private final UserAccess userAccess;
    private final RequestMeters meters;
    private final Rehearsal rehearsal;
    private final ScheduledExecutorService scheduler;
    private final Semaphore heldBack = new Semaphore(MAX_HELD_BACK);

    /**
     * @param rehearsal answers the requests {@link Rehearsals} marks, instead of {@code userAccess}
     * @param scheduler completes the held-back answers of slowed callers; owned by the listener
     */
    UserAccessHandler(
            UserAccess userAccess, RequestMeters meters, Rehearsal rehearsal, ScheduledExecutorService scheduler) {
        this.userAccess = userAccess;
        this.meters = meters;
        this.rehearsal = rehearsal;
        this.scheduler = scheduler;
    }

    @Override
    public void handle(Context ctx) {
        if (Boolean.TRUE.equals(ctx.attribute(Rehearsals.ATTRIBUTE))) {
            // The same steps on the rehearsal's own caller, recorder and meters; never held back.
            write(ctx, rehearsal.userAccess().answer(incoming(ctx)), rehearsal.meters(), false);
            return;
        }
        Answered answered = userAccess.answer(incoming(ctx));
        // The record's commit took some of the deadline too: what is left of it bounds the wait.
        Duration left = answered.deadline().remaining();
        Duration wait = answered.holdBack().compareTo(left) < 0 ? answered.holdBack() : left;
        if (wait.isZero() || !heldBack.tryAcquire()) {
            // Past MAX_HELD_BACK waiting answers the rest go out at once: memory stays bounded, and
            // the secrets' 128 bits, not the delay, are what keeps guessing out.
            write(ctx, answered, meters, true);
            return;
        }
        CompletableFuture<Void> later = new CompletableFuture<>();
        ctx.future(() -> later.thenRun(() -> {
            try {
                write(ctx, answered, meters, true);
            } finally {
                heldBack.release();
            }
        }));
        // No thread waits: the scheduler completes the future, and Jetty writes the answer then.
        try {
            ScheduledFuture<?> unused =
                    scheduler.schedule(() -> later.complete(null), wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            later.complete(null); // the listener is stopping: answer now rather than never
        }
    }

    /** @param onRecord whether the answer is REDCap's, for the decision lines, or a rehearsal's */
    private static void write(Context ctx, Answered answered, RequestMeters meters, boolean onRecord) {
        DecisionRecord r = answered.record();
        Exchanges.answer(ctx, answered.answer());
        ctx.header(DECISION_ID_HEADER, r.decisionId());
        ctx.header(DECISION_REASON_HEADER, r.reason());
        if (Reason.METHOD_NOT_ALLOWED.code().equals(r.reason())) {
            ctx.header("Allow", "POST");
        }
        // From the first byte to the answer written: what the caller waited, commit and any
        // hold-back included (the row's latency_us ends at its commit).
        long answeredNanos = answered.deadline().elapsedNanos();
        try {
            meters.answered(r.instance(), r.effect(), r.reason(), answered.answer(), answeredNanos);
        } catch (RuntimeException e) {
            // Counting must never change an answer that is already decided and recorded.
            log.warn("could not count decision {}: {}", r.decisionId(), e.toString());
        }
        if (!onRecord) {
            log.debug("rehearsal answered {} ({}) in {} us", answered.answer(), r.reason(), answeredNanos / 1_000);
            return;
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
                answeredNanos / 1_000);
    }

    /** How long ago the request's first byte arrived, as {@link WholeRequestFirst} noted it. */
    private static Duration sinceFirstByte(Context ctx) {
        Object firstByte = ctx.attribute(WholeRequestFirst.FIRST_BYTE_NANOS);
        return firstByte instanceof Long nanos ? Duration.ofNanos(System.nanoTime() - nanos) : Duration.ZERO;
    }

    private static Incoming incoming(Context ctx) {
        List<String> secrets = ctx.queryParams("secret");
        return new Incoming(
                ctx.req().getMethod(),
                ctx.req().getRemoteAddr(),
                Exchanges.forwardedFor(ctx),
                secrets,
                Collections.list(ctx.req().getHeaders("Authorization")),
                Optional.ofNullable(ctx.req().getContentType()),
                ctx.header("Referer") != null,
                sinceFirstByte(ctx),
                new Incoming.Body() {
                    @Override
                    public long declaredLength() {
                        return ctx.req().getContentLengthLong();
                    }

                    @Override
                    public byte[] readAtMost(int limit) throws IOException {
                        if (ctx.attribute(WholeRequestFirst.INCOMPLETE) != null) {
                            throw new IOException("the body did not arrive whole within the deadline");
                        }
                        return ctx.req().getInputStream().readNBytes(limit);
                    }
                });
    }
}
