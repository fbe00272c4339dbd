package io.cdpaccess.meters;

import io.cdpaccess.access.AuthFailureLimiter;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.protocol.Answer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the REDCap listener counts: every answer of {@code /user-access} by effect and reason, how
 * long answers take, callers refused before any decision, failed authentications and the ones answered late,
 * connections closed because their request's head was too slow, and reads of {@code /metrics}.
 *
 * <p>Counted once the answer is final, i.e. after the decision log had its say: a decision that
 * could not be recorded counts as the 503 {@code log-unavailable} its caller got, exactly as the
 * log row says. Counters are created once per label combination and then found in a map, so a
 * request costs a lookup and an increment. Label values are bounded: instance names and reason
 * codes come from the configuration (rule names) and {@link Reason}, never from the request.
 */
public final class RequestMeters {

    /** The instance label of an answer given before the caller was authenticated (as in the log). */
    public static final String NO_INSTANCE = "-";

    /** Refusals of REDCap's callers, for counters known from the start; every one is a 404. */
    private static final List<Reason> REFUSALS = List.of(
            Reason.UNAUTHENTICATED,
            Reason.ADDRESS_NOT_ALLOWED,
            Reason.RATE_LIMITED,
            Reason.METHOD_NOT_ALLOWED,
            Reason.BODY_TOO_LARGE,
            Reason.REDIRECTED_WITHOUT_BODY);

    private static final List<Reason> ERRORS =
            List.of(Reason.FACT_ERROR, Reason.DEADLINE_EXCEEDED, Reason.LOG_UNAVAILABLE, Reason.INTERNAL_ERROR);
    /** Latency buckets: REDCap users wait on every answer, so the low end matters most. */
    static final List<Duration> BUCKETS = List.of(
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            Duration.ofMillis(10),
            Duration.ofMillis(25),
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofMillis(2_500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10));

    private record DecisionKey(String instance, Effect effect, String reason) {}

    private record RefusalKey(String reason, int status) {}

    private final MeterRegistry registry;
    private final ConcurrentHashMap<DecisionKey, Counter> decisions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RefusalKey, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<Effect, Timer> latency = new EnumMap<>(Effect.class);
    private final Counter metricsServed;
    private final Counter metricsRefused;
    private final Counter slowHeadsClosed;

    /**
     * Registers the listener's meters, with a zero for each refusal and error that can happen, so
     * that an alert on their increase sees the first one.
     *
     * @param deadline also a latency bucket: answers at the deadline are the ones REDCap got 503 for
     */
    public RequestMeters(
            MeterRegistry registry, List<InstanceConfig> instances, AuthFailureLimiter limiter, Duration deadline) {
        this.registry = registry;
        TreeSet<Duration> buckets = new TreeSet<>(BUCKETS);
        buckets.add(deadline);
        for (Effect effect : Effect.values()) {
            latency.put(
                    effect,
                    Timer.builder("cdp_access.decision")
                            .description(
                                    "Time from receiving a /user-access request to its answer, decision log commit included")
                            .tag("effect", effect.label())
                            .serviceLevelObjectives(buckets.toArray(Duration[]::new))
                            .register(registry));
        }
        REFUSALS.forEach(reason -> refusal(reason.code(), Answer.REFUSED.status()));
        for (InstanceConfig instance : instances) {
            for (Reason error : ERRORS) {
                decision(instance.name(), Effect.ERROR, error.code());
            }
        }
        FunctionCounter.builder("cdp_access.auth.failures", limiter, AuthFailureLimiter::failures)
                .description("Requests whose secret did not match, or whose address an instance does not allow")
                .register(registry);
        FunctionCounter.builder("cdp_access.auth.slowed", limiter, AuthFailureLimiter::slowed)
                .description(
                        "Failed authentications beyond a caller's auth_failures.limit, answered late (rate-limited)")
                .register(registry);
        metricsServed = metricsReads("served");
        metricsRefused = metricsReads("refused");
        slowHeadsClosed = Counter.builder("cdp_access.slow_heads.closed")
                .description("Connections closed without an answer because a request's head (request line and"
                        + " headers; over TLS with the handshake) did not arrive within three quarters of the"
                        + " deadline from its first byte")
                .register(registry);
    }

    /**
     * Counts one final answer of {@code /user-access}.
     *
     * @param instance the name of the instance the caller authenticated as, if it got that far
     * @param reason the reason code recorded with the answer
     * @param nanos from receiving the request to its answer
     */
    public void answered(Optional<String> instance, Effect effect, String reason, Answer answer, long nanos) {
        if (effect == Effect.REJECTED) {
            refusal(reason, answer.status()).increment();
        } else {
            decision(instance.orElse(NO_INSTANCE), effect, reason).increment();
        }
        latency.get(effect).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one connection closed because its request's head did not arrive in time. */
    public void slowHeadClosed() {
        slowHeadsClosed.increment();
    }

    /** Counts one request for {@code /metrics}. */
    public void metricsRead(boolean served) {
        (served ? metricsServed : metricsRefused).increment();
    }

    private Counter decision(String instance, Effect effect, String reason) {
        return decisions.computeIfAbsent(
                new DecisionKey(instance, effect, reason),
                k -> Counter.builder("cdp_access.decisions")
                        .description(
                                "Answers of /user-access decided (allow: 1; deny: 0; error: 503 \"0\"), "
                                        + "by REDCap instance and reason code (the deciding rule, or why there was no decision)")
                        .tags(
                                "redcap_instance",
                                k.instance(),
                                "effect",
                                k.effect().label(),
                                "reason",
                                k.reason())
                        .register(registry));
    }

    private Counter refusal(String reason, int status) {
        return refusals.computeIfAbsent(
                new RefusalKey(reason, status),
                k -> Counter.builder("cdp_access.requests.rejected")
                        .description(
                                "Requests to /user-access refused (404 \"0\") before any decision (not authenticated, address "
                                        + "not allowed, slowed after failures, wrong method, body too large, body dropped by a "
                                        + "redirect), by reason and status")
                        .tags("reason", k.reason(), "status", Integer.toString(k.status()))
                        .register(registry));
    }

    private Counter metricsReads(String result) {
        return Counter.builder("cdp_access.metrics.requests")
                .description(
                        "Requests for /metrics: served, or refused because the caller is not in metrics.allow_from")
                .tag("result", result)
                .register(registry);
    }
}
