package io.cdpaccess.access;

import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.net.Cidr;
import io.cdpaccess.outcome.Reason;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a caller is one of the configured REDCap installations, before its body is
 * read. REDCap sends no credentials of its own, so the secret travels in the URL the
 * administrator pasted: as the {@code secret} query parameter, or as the password of
 * {@code user:password@host}, which cURL sends as HTTP Basic. Every configured secret is
 * compared (in constant time) whatever matched first, so timing does not reveal which exists.
 */
public final class CallerGuard {

    /**
     * The guard's verdict: the authenticated instance, or the refusal: its reason, the failure
     * beneath it ({@code unauthenticated} or {@code address-not-allowed}; for a slowed caller the
     * reason is {@code rate-limited}), and how long its answer is held back.
     */
    public record Verdict(Optional<InstanceConfig> instance, Reason reason, Reason failure, Duration holdBack) {

        static Verdict accept(InstanceConfig instance) {
            return new Verdict(Optional.of(instance), null, null, Duration.ZERO);
        }

        static Verdict refuse(Reason reason, Reason failure, Duration holdBack) {
            return new Verdict(Optional.empty(), reason, failure, holdBack);
        }

        public boolean accepted() {
            return instance.isPresent();
        }
    }

    private final List<InstanceConfig> instances;
    private final AuthFailureLimiter limiter;

    public CallerGuard(List<InstanceConfig> instances, AuthFailureLimiter limiter) {
        this.instances = List.copyOf(instances);
        this.limiter = limiter;
    }

    /**
     * Checks one caller: no or wrong secret, address not allowed, or accepted. The right secret
     * from an allowed address is accepted however many failures its address made (REDCap shares
     * its address with everything on its host); failures are counted, and beyond the allowance
     * refused as {@code rate-limited} and held back.
     *
     * @param caller the caller's address after trusted-proxy resolution
     * @param querySecrets every value of the query parameter named secret
     * @param authorizations every {@code Authorization} header sent
     */
    public Verdict check(InetAddress caller, List<String> querySecrets, List<String> authorizations) {
        Optional<String> presented = presentedSecret(querySecrets, authorizations);
        InstanceConfig matched = null;
        if (presented.isPresent()) {
            for (InstanceConfig instance : instances) {
                if (instance.secret().matches(presented.get()) && matched == null) {
                    matched = instance;
                }
            }
        }
        if (matched != null && allowed(matched, caller)) {
            return Verdict.accept(matched);
        }
        Reason failure = matched == null ? Reason.UNAUTHENTICATED : Reason.ADDRESS_NOT_ALLOWED;
        Optional<Duration> slowed = limiter.recordFailure(caller);
        return slowed.isEmpty()
                ? Verdict.refuse(failure, failure, Duration.ZERO)
                : Verdict.refuse(Reason.RATE_LIMITED, failure, slowed.get());
    }

    /**
     * A single secret from the query, else the Basic password of a single {@code Authorization}
     * header; anything ambiguous (a repeated parameter or header) is none, so that no proxy or
     * server in between can pick a different one than this service does.
     */
    static Optional<String> presentedSecret(List<String> querySecrets, List<String> authorizations) {
        if (querySecrets.size() > 1 || authorizations.size() > 1) {
            return Optional.empty();
        }
        if (querySecrets.size() == 1) {
            return Optional.of(querySecrets.get(0));
        }
        if (authorizations.isEmpty() || !authorizations.get(0).regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        Optional<String> authorization = Optional.of(authorizations.get(0));
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(authorization.get().substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean allowed(InstanceConfig instance, InetAddress caller) {
        return instance.allowFrom().isEmpty() || Cidr.anyContains(instance.allowFrom(), caller);
    }
}
