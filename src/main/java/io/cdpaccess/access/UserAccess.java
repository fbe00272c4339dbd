package io.cdpaccess.access;

import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.net.IpAddresses;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.PolicyResult;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.protocol.Answer;
import io.cdpaccess.protocol.ParsedBody;
import io.cdpaccess.protocol.RequestParser;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call REDCap makes before a user may fetch EHR data, from a received request to an answer
 * that is on the record; independent of the HTTP server that carries it.
 *
 * <p>Order of checks: caller (secret, address; failing callers slowed), a redirect that dropped
 * the body, method, body size — each refused with 404 {@code 0}, the one status below 500 that
 * REDCap's Test button reports as a failure — then the body's form (200 {@code 0} for malformed
 * or empty), then the decision; whatever the outcome, {@link RecordBeforeAnswer} commits the
 * record before the answer is given. One
 * {@link Deadline}, started when the request arrives, bounds all of it. Every path, including
 * unexpected exceptions, ends in one of the {@link Answer} constants, so only a completed allow
 * ever answers {@code 1}.
 */
public final class UserAccess {

    /** Largest body read; REDCap's requests are a few hundred bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(UserAccess.class);

    private static final String CREDENTIALS_DROPPED = "the request came through a redirect (it has a Referer), and a"
            + " redirect to another host or port drops user:password@ credentials: paste the final URL into REDCap";

    private final Supplier<Callers> callers;
    private final Decider decider;
    private final RecordBeforeAnswer recorder;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration budget;
    private final RedirectWarnings redirectWarnings;

    /**
     * @param callers who may call, read once per request (a reload swaps the whole set)
     * @param ticker the time base of every request's deadline
     * @param budget how long an answer may take
     */
    public UserAccess(
            Supplier<Callers> callers,
            Decider decider,
            RecordBeforeAnswer recorder,
            Clock clock,
            Ticker ticker,
            Duration budget) {
        this.callers = callers;
        this.decider = decider;
        this.recorder = recorder;
        this.clock = clock;
        this.ticker = ticker;
        this.budget = budget;
        this.redirectWarnings = new RedirectWarnings(clock);
    }

    /** What the request sent, as kept on the record: each field as sent, when it got that far. */
    private record Fields(
            Optional<String> user,
            Optional<String> normalizedUser,
            Optional<String> projectId,
            Optional<String> redcapUrl) {
        static final Fields NONE = new Fields(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Everything that becomes the record, except what only the end knows (id, time, latency). */
    private record Provisional(
            Optional<InstanceConfig> instance,
            Fields fields,
            Effect effect,
            String reason,
            Optional<String> detail,
            Answer answer,
            Optional<String> grantId,
            Optional<String> policyVersion,
            Optional<String> explanation,
            Duration holdBack) {

        static Provisional outsidePolicy(
                Optional<InstanceConfig> instance,
                Fields fields,
                Effect effect,
                Reason reason,
                String detail,
                Answer answer) {
            return new Provisional(
                    instance,
                    fields,
                    effect,
                    reason.code(),
                    Optional.ofNullable(detail),
                    answer,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ZERO);
        }

        /** A refusal of the caller: 404 {@code 0}, which REDCap's Test button shows as a failure. */
        static Provisional refusal(Optional<InstanceConfig> instance, Reason reason, String detail) {
            return outsidePolicy(instance, Fields.NONE, Effect.REJECTED, reason, detail, Answer.REFUSED);
        }

        Provisional heldBack(Duration wait) {
            return new Provisional(
                    instance, fields, effect, reason, detail, answer, grantId, policyVersion, explanation, wait);
        }

        DecisionRecord record(String id, Instant receivedAt, InetAddress caller, InetAddress peer, long latencyMicros) {
            return new DecisionRecord(
                    id,
                    receivedAt,
                    instance.map(InstanceConfig::name),
                    fields.user(),
                    fields.normalizedUser(),
                    fields.projectId(),
                    fields.redcapUrl(),
                    address(caller),
                    address(peer),
                    effect,
                    reason,
                    detail,
                    answer.status(),
                    latencyMicros,
                    grantId,
                    policyVersion,
                    explanation);
        }
    }

    /** Answers one request; never throws. */
    public Answered answer(Incoming request) {
        Deadline deadline = Deadline.startedAgo(ticker, budget, request.sinceFirstByte());
        Callers current = callers.get(); // once: this request sees one set of secrets, addresses and URLs
        String id = Ids.next(clock);
        Instant receivedAt = clock.instant();
        InetAddress peer = null;
        InetAddress caller = null;
        Provisional provisional;
        try {
            peer = IpAddresses.parseLiteral(request.peerAddress());
            caller = current.address().resolve(peer, request.forwardedFor());
            provisional = checkCaller(id, current.guard(), request, caller, deadline);
        } catch (RuntimeException | Error e) {
            provisional = internalError(id, Optional.empty(), Fields.NONE, e);
        }
        DecisionRecord record = provisional.record(id, receivedAt, caller, peer, deadline.elapsedNanos() / 1_000);
        return recorder.record(record, provisional.answer(), deadline, provisional.holdBack());
    }

    private Provisional checkCaller(
            String id, CallerGuard guard, Incoming request, InetAddress caller, Deadline deadline) {
        CallerGuard.Verdict verdict = guard.check(caller, request.secrets(), request.authorizations());
        if (!verdict.accepted()) {
            // Even a slowed caller is answered within the deadline, as every caller is; the listener
            // caps the wait again once the record is committed.
            Duration left = deadline.remaining();
            Duration wait = verdict.holdBack().compareTo(left) < 0 ? verdict.holdBack() : left;
            String detail = verdict.reason() == Reason.RATE_LIMITED
                    ? verdict.failure().code() + ", beyond the allowance of failures: held back up to "
                            + wait.toMillis() + " ms"
                    : null;
            if (request.refererSent() && verdict.failure() == Reason.UNAUTHENTICATED) {
                detail = (detail == null ? "" : detail + "; ") + CREDENTIALS_DROPPED;
                redirectWarnings.credentialsDropped();
            }
            return Provisional.refusal(Optional.empty(), verdict.reason(), detail)
                    .heldBack(wait);
        }
        Optional<InstanceConfig> instance = verdict.instance();
        try {
            if (!"POST".equals(request.method())) {
                if (request.refererSent() && request.body().declaredLength() <= 0) {
                    return redirectedWithoutBody(instance, request.method());
                }
                return Provisional.refusal(instance, Reason.METHOD_NOT_ALLOWED, request.method());
            }
            return readAndDecide(id, request, instance, caller, deadline);
        } catch (RuntimeException | Error e) {
            return internalError(id, instance, Fields.NONE, e);
        }
    }

    private Provisional readAndDecide(
            String id, Incoming request, Optional<InstanceConfig> instance, InetAddress caller, Deadline deadline) {
        byte[] body;
        try {
            long declared = request.body().declaredLength();
            if (declared > MAX_BODY_BYTES) {
                return tooLarge(instance, "Content-Length " + declared);
            }
            body = request.body().readAtMost(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                return tooLarge(instance, "more than " + MAX_BODY_BYTES + " bytes");
            }
            if (body.length == 0
                    && request.refererSent()
                    && request.contentType().isEmpty()) {
                // A form post that lost its form. The Test button's empty POST through a 307/308
                // keeps its content type (and its Referer): that one is the Test, answered 200 "0".
                return redirectedWithoutBody(instance, request.method());
            }
        } catch (IOException e) {
            return Provisional.outsidePolicy(
                    instance,
                    Fields.NONE,
                    Effect.DENY,
                    Reason.BAD_REQUEST,
                    "body could not be read: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    Answer.DENY);
        }
        ParsedBody parsed = RequestParser.parse(body, request.contentType().orElse(null));
        if (parsed instanceof ParsedBody.Invalid invalid) {
            Fields sent = new Fields(
                    Optional.ofNullable(invalid.user()),
                    Optional.empty(),
                    Optional.ofNullable(invalid.projectId()),
                    Optional.ofNullable(invalid.redcapUrl()));
            return Provisional.outsidePolicy(
                    instance,
                    sent,
                    Effect.DENY,
                    invalid.empty() ? Reason.EMPTY_REQUEST : Reason.BAD_REQUEST,
                    invalid.problem(),
                    Answer.DENY);
        }
        AccessRequest access = ((ParsedBody.Valid) parsed).request();
        Fields fields = new Fields(
                Optional.of(access.user()),
                Optional.of(access.normalizedUser()),
                Optional.of(Long.toString(access.projectId())),
                Optional.of(access.redcapUrl().value()));
        try {
            Decision decision = decider.decide(
                    instance.orElseThrow(), access, Optional.of(IpAddresses.canonical(caller)), deadline);
            Answer answer = switch (decision.effect()) {
                case ALLOW -> Answer.ALLOW;
                case DENY -> Answer.DENY;
                default -> Answer.UNAVAILABLE;
            };
            return new Provisional(
                    instance,
                    fields,
                    decision.effect(),
                    decision.reason(),
                    Optional.ofNullable(decision.detail()),
                    answer,
                    decision.grantId(),
                    decision.explanation().map(PolicyResult::policyVersion),
                    decision.explanation().map(e -> Explanations.toJson(e, decision.sources())),
                    Duration.ZERO);
        } catch (RuntimeException | Error e) {
            return internalError(id, instance, fields, e);
        }
    }

    /**
     * An unexpected failure, answered 503 "0" and recorded with what was known by then (the instance,
     * what was asked), so that the record and the meters still say whose request failed. Even an
     * Error (out of memory) ends here: the server's own answer would be a 500.
     */
    private static Provisional internalError(String id, Optional<InstanceConfig> instance, Fields fields, Throwable e) {
        log.error("unexpected error deciding request {}", id, e);
        return Provisional.outsidePolicy(
                instance,
                fields,
                Effect.ERROR,
                Reason.INTERNAL_ERROR,
                e.getClass().getSimpleName(),
                Answer.UNAVAILABLE);
    }

    private static Provisional tooLarge(Optional<InstanceConfig> instance, String detail) {
        return Provisional.refusal(instance, Reason.BODY_TOO_LARGE, detail);
    }

    /**
     * A request from REDCap that lost its body on the way: cURL follows a 301, 302 or 303 by
     * sending the request again without the body, adding a {@code Referer}. Every user would be
     * denied while the DDP Test button showed "Success!", so it is refused with a 404 the button
     * shows, and the log says what to fix.
     */
    private Provisional redirectedWithoutBody(Optional<InstanceConfig> instance, String method) {
        redirectWarnings.bodyDropped(instance.map(InstanceConfig::name).orElse("-"));
        return Provisional.refusal(
                instance,
                Reason.REDIRECTED_WITHOUT_BODY,
                method + " without a body, with a Referer: a redirect in front of the service dropped REDCap's"
                        + " form; paste the final https:// URL into REDCap");
    }

    /** As the policy's {@code request.caller_ip} reads it, so that the log and the rules agree. */
    private static String address(InetAddress a) {
        return a == null ? "-" : IpAddresses.canonical(a);
    }
}
