package io.cdpaccess.doctor;

import io.cdpaccess.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the URL an administrator pasted into REDCap the way REDCap will use it, because REDCap
 * itself does not: the CDP settings page's Test button sends nothing, and nothing is checked on
 * save, so a wrong URL or secret otherwise shows up only as researchers being denied. It first
 * sends the DDP Test button's empty POST, then (if given) a sample request, both as REDCap's
 * {@code http_post} does ({@link RedcapHttpPost}), and turns what happened into findings: no
 * connection and why, a certificate that does not name the host, redirects that drop the body or
 * the credentials, a wrong secret, characters a URL mangles, an unknown {@code redcap_url}, times,
 * and what REDCap would store.
 *
 * <p>It works against any User Access service: {@code X-Decision-Id} and {@code X-Decision-Reason}
 * (cdp-access's) sharpen the findings when present; without them it falls back to REDCap's own
 * rule.
 */
public final class Doctor {

    /** The DDP Test button's timeout. */
    public static final Duration TEST_BUTTON_TIMEOUT = Duration.ofSeconds(10);

    /** REDCap has no total timeout; the doctor has to end, so it says how long it waited. */
    public static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(30);

    private static final String TEST = "Test button's empty POST";

    private static final Map<String, String> REFUSALS = Map.of(
            "address-not-allowed",
                    "the service does not accept calls from this host's address (the instance's allow_from):"
                            + " add REDCap's web server or outbound proxy, as the service sees it",
            "rate-limited",
                    "the service locked this address out after too many failed authentications: fix the secret,"
                            + " then wait for the window to refill",
            "method-not-allowed",
                    "the service got the call with another method than POST (a redirect turned it into a GET):"
                            + " paste the final URL into REDCap",
            "body-too-large", "the service refused the body as too large",
            "redirected-without-body",
                    "the service got the call without its body after a redirect: every user would be denied;"
                            + " paste the final URL into REDCap");

    private final RedcapHttpPost client;
    private final Clock clock;

    public Doctor(Clock clock, Ticker ticker) {
        this.clock = clock;
        this.client = new RedcapHttpPost(ticker);
    }

    /** Examines a pasted URL: the Test button's empty POST, then the sample if there is one. */
    public Report examine(String pastedUrl, Optional<Sample> sample) {
        Set<Finding> findings = new LinkedHashSet<>();
        findings.add(Finding.info("checking " + ServiceUrl.mask(pastedUrl.strip()) + " as REDCap's http_post() calls"
                + " it (PHP cURL, HTTP/1.1, a new connection per call, the host name checked but not the chain)"));
        findings.addAll(UrlSecretCheck.check(pastedUrl));
        ServiceUrl url;
        try {
            url = ServiceUrl.parse(pastedUrl);
        } catch (IllegalArgumentException e) {
            findings.add(Finding.problem("REDCap cannot call this URL: " + e.getMessage()));
            return new Report(new ArrayList<>(findings), "0", false);
        }
        aboutTheUrl(url, findings);

        Call test = client.post(url, "", TEST_BUTTON_TIMEOUT);
        describe(TEST, url, test, findings);
        boolean testAnswered = test.answer()
                .map(h -> h.status() == 200 && Call.phpTrim(h.body()).equals("0"))
                .orElse(false);
        testVerdict(test, findings);
        Call last = test;
        if (sample.isPresent() && test.answer().isPresent()) {
            Sample s = sample.get();
            if (!s.redcapUrl().endsWith("/")) {
                findings.add(Finding.info("REDCap sends its base URL with a trailing slash; " + s.redcapUrl()
                        + " has none, so the service may not recognise it"));
            }
            Call call = client.post(url, formBody(s), SAMPLE_TIMEOUT);
            String label = "sample POST (user=" + s.user() + " project_id=" + s.projectId() + " redcap_url="
                    + s.redcapUrl() + ")";
            describe(label, url, call, findings);
            sampleVerdict(s, call, findings);
            last = call;
        }
        findings.add(Finding.info("REDCap sets no total timeout on these calls (a service that hangs blocks the user's"
                + " page), and the DDP Test button gives up after " + TEST_BUTTON_TIMEOUT.toSeconds() + " s"));
        boolean works = testAnswered && findings.stream().noneMatch(f -> f.severity() == Finding.Severity.PROBLEM);
        return new Report(new ArrayList<>(findings), last.redcapWouldStore(), works);
    }

    private static void aboutTheUrl(ServiceUrl url, Set<Finding> findings) {
        boolean hasQuerySecret = url.target().toLowerCase(Locale.ROOT).matches("(?s).*[?&]secret=.*");
        if (url.userInfo().isPresent()) {
            findings.add(Finding.info("the URL carries user:pass@ credentials (sent as HTTP Basic): DDP Custom takes"
                    + " them, but CDP's settings page refuses such URLs; for CDP use ?secret= instead"));
        } else if (!hasQuerySecret) {
            findings.add(Finding.info("the URL carries no secret (neither ?secret= nor user:pass@): REDCap sends no"
                    + " credentials of its own, so the service can tell it from anyone else only by address"));
        }
        if (url.host().equals("localhost")) {
            findings.add(Finding.info("CDP's settings page refuses localhost URLs; 127.0.0.1 works the same"));
        }
        if (!url.https() && !isLoopback(url.host())) {
            findings.add(Finding.info(
                    "plain http:// to another host: the secret crosses the network readable;" + " use https://"));
        }
    }

    private void describe(String label, ServiceUrl pasted, Call call, Set<Finding> findings) {
        List<Hop> hops = call.hops();
        for (int i = 0; i < hops.size(); i++) {
            Hop hop = hops.get(i);
            hop.certificate().ifPresent(c -> findings.add(certificateNames(hop.url(), c)));
            if (hop.url().https() && hop.certificate().isPresent()) {
                findings.add(Finding.ok("the certificate of " + hop.url().urlHost() + " names it (REDCap checks the"
                        + " host name, though not the chain)"));
            }
            if (hop.isRedirect()) {
                describeRedirect(pasted, call, i, findings);
            }
        }
        call.failure().ifPresent(f -> describeFailure(label, f, findings));
        call.answer()
                .ifPresent(answer -> findings.add(Finding.info(label + ": " + answerText(answer) + " in "
                        + call.millis() + " ms" + (label.equals(TEST) ? testButtonShows(call) : ""))));
        if (call.failure().isPresent()) {
            findings.add(Finding.info(label + ": no answer after " + call.millis() + " ms"
                    + (label.equals(TEST) ? testButtonShows(call) : "")));
        }
    }

    private Finding certificateNames(ServiceUrl url, PeerCertificate c) {
        Instant now = clock.instant();
        String expiry = c.notAfter().isBefore(now)
                ? "expired " + c.notAfter() + " (REDCap's cURL does not check expiry)"
                : "valid until " + c.notAfter();
        return Finding.info("certificate of " + url.authority() + ": " + c.describeNames() + "; " + expiry);
    }

    private static void describeRedirect(ServiceUrl pasted, Call call, int index, Set<Finding> findings) {
        Hop hop = call.hops().get(index);
        String location = ServiceUrl.mask(hop.header("location").orElse(""));
        String finalUrl = call.hops().get(call.hops().size() - 1).url().masked();
        if (hop.dropsBody()) {
            findings.add(Finding.problem("redirect " + hop.status() + " from "
                    + hop.url().masked() + " to " + location
                    + ": 301/302/303 makes REDCap re-send without the body: every user is denied while the Test"
                    + " button shows Success! — paste the final " + (finalUrl.startsWith("https:") ? "https:// " : "")
                    + "URL into REDCap: " + finalUrl));
        } else {
            findings.add(Finding.info(
                    "redirect " + hop.status() + " from " + hop.url().masked() + " to " + location
                            + ": 307/308 keep the method and body, but each call pays a round trip; paste the final URL"
                            + " into REDCap: " + finalUrl));
        }
        if (index + 1 < call.hops().size()) {
            ServiceUrl next = call.hops().get(index + 1).url();
            if (pasted.userInfo().isPresent() && !next.sameOrigin(pasted)) {
                findings.add(Finding.problem("the redirect to " + next.authority() + " changes the scheme, host or"
                        + " port, so cURL does not send the user:pass@ credentials there: the service sees none"));
            }
        }
    }

    private static void describeFailure(String label, CallFailure f, Set<Finding> findings) {
        String where = f.url().authority();
        String text = switch (f.kind()) {
            case REFUSED ->
                "cannot connect to " + where + ": connection refused (nothing listens there,"
                        + " or a firewall rejects it): check the host, the port and that the service runs";
            case UNKNOWN_HOST ->
                "cannot connect: unknown host " + f.url().host()
                        + " (this host's DNS cannot resolve it): check the spelling";
            case CONNECT_TIMEOUT ->
                "cannot connect to " + where + ": no connection in time (a firewall"
                        + " dropping packets, or the wrong address); REDCap waits 30 s, then denies the user";
            case ANSWER_TIMEOUT ->
                label + ": connected to " + where + " but no answer in time: the DDP Test"
                        + " button gives up after 10 s, and REDCap has no total timeout, so a user's page hangs";
            case TLS_HANDSHAKE -> "cannot connect to " + where + ": the TLS handshake failed (" + f.detail() + ")";
            case HOST_NAME_NOT_IN_CERTIFICATE ->
                "the certificate of " + where + " does not name "
                        + f.url().host() + " (it covers "
                        + f.certificate().map(PeerCertificate::describeNames).orElse("unknown names")
                        + "): REDCap checks the host name though not the chain, so every call fails and every"
                        + " user is denied; use a host name the certificate covers, or a certificate (self-signed"
                        + " will do) whose subject alternative names include "
                        + f.url().host();
            case PLAIN_HTTP_TO_HTTPS_PORT ->
                "cannot connect: " + where + " speaks HTTPS but the URL says"
                        + " http:// (plain HTTP spoken to an HTTPS port): use https://";
            case HTTPS_TO_PLAIN_HTTP_PORT ->
                "cannot connect: " + where + " speaks plain HTTP but the URL says"
                        + " https:// (TLS spoken to a plain HTTP port): use http://, or turn on TLS in the service";
            case NO_ANSWER -> label + ": " + where + " gave no HTTP answer (" + f.detail() + ")";
            case TOO_MANY_REDIRECTS ->
                "more than " + RedcapHttpPost.MAX_REDIRECTS + " redirects: cURL gives up and the call fails";
            case BAD_REDIRECT -> "a redirect cURL cannot follow: " + f.detail();
            case OTHER -> "cannot connect to " + where + ": " + f.detail();
        };
        f.certificate()
                .filter(c -> f.kind() == CallFailure.Kind.HOST_NAME_NOT_IN_CERTIFICATE)
                .ifPresent(c -> findings.add(Finding.info(
                        "certificate of " + where + ": " + c.describeNames() + "; valid until " + c.notAfter())));
        findings.add(Finding.problem(text));
    }

    private static String testButtonShows(Call call) {
        return call.failed()
                ? "; the DDP Test button would show an error"
                : "; the DDP Test button would show Success!";
    }

    private static void testVerdict(Call test, Set<Finding> findings) {
        Optional<Hop> answer = test.answer();
        if (answer.isEmpty()) {
            return;
        }
        Hop h = answer.get();
        String body = Call.phpTrim(h.body());
        if (refusal(h, findings)) {
            return;
        }
        if (h.status() == 200 && body.equals("0")) {
            findings.add(
                    Finding.ok("the Test button's empty POST was answered 200 0, as a working service answers it"));
        } else if (h.status() == 200 && body.equals("1")) {
            findings.add(Finding.problem("the service answers 1 to an empty POST (no user, no project): it would let"
                    + " anyone through; it must answer 0"));
        } else if (test.failed()) {
            findings.add(Finding.problem("the Test button's empty POST failed (" + answerText(h) + "): REDCap counts"
                    + " that as a failure and would deny every user"));
        } else {
            findings.add(Finding.problem("the Test button's empty POST was answered " + answerText(h)
                    + ": a working service answers it with 200 0 (REDCap's Test button shows Success! all the same)"));
        }
    }

    private static void sampleVerdict(Sample s, Call call, Set<Finding> findings) {
        Optional<Hop> answer = call.answer();
        if (answer.isEmpty()) {
            return;
        }
        Hop h = answer.get();
        if (refusal(h, findings)) {
            return;
        }
        String reason = h.header("x-decision-reason").orElse("");
        String who = s.user() + " in project " + s.projectId();
        if (reason.equals("instance-mismatch")) {
            findings.add(Finding.problem("the service does not accept redcap_url " + s.redcapUrl() + " with this"
                    + " secret (instance-mismatch): bind the instance to REDCap's base URL exactly as REDCap sends it"
                    + " (with the trailing slash), or use the secret of the instance that has it"));
        } else if (reason.equals("bad-request")) {
            findings.add(Finding.problem("the service could not read the sample request (bad-request)"));
        } else if (call.failed()) {
            findings.add(Finding.problem("the sample call failed (" + answerText(h) + "): REDCap would deny " + who
                    + " for the rest of their session"));
        } else if (h.status() == 200 && Call.phpTrim(h.body()).equals("1")) {
            findings.add(Finding.ok("the service allows " + who + reasonText(reason)));
        } else if (h.status() == 200 && Call.phpTrim(h.body()).equals("0")) {
            findings.add(Finding.info("the service denies " + who + reasonText(reason)
                    + ": a working call; grant access if the user should have it"));
        } else {
            findings.add(Finding.problem(
                    "the sample was answered " + answerText(h) + ": not a decided answer (200 with 1 or 0)"));
        }
    }

    /** Refusals before any decision: by the service's reason header, else by status as REDCap would see them. */
    private static boolean refusal(Hop h, Set<Finding> findings) {
        Optional<String> reason = h.header("x-decision-reason");
        boolean recorded = h.header("x-decision-id").isPresent();
        if (reason.filter("unauthenticated"::equals).isPresent()
                || (reason.isEmpty() && (h.status() == 401 || h.status() == 403))) {
            findings.add(Finding.problem((reason.isPresent()
                            ? "the service refused the secret (unauthenticated)"
                            : "answered " + h.status() + ": most likely a wrong or missing secret")
                    + ": the secret in the URL is wrong or missing; paste the URL with the instance's secret"
                    + " (cdp-access serve prints it on its first run)"));
            return true;
        }
        if (reason.isPresent() && REFUSALS.containsKey(reason.get())) {
            findings.add(Finding.problem(REFUSALS.get(reason.get()) + " (" + reason.get() + ")"));
            return true;
        }
        if (h.status() == 404 && !recorded) {
            findings.add(Finding.problem("404 without X-Decision-Id: nothing answers at " + path(h.url())
                    + " on this server (a wrong path? cdp-access answers at /user-access), or it is not a User"
                    + " Access service"));
            return true;
        }
        return false;
    }

    private static String path(ServiceUrl url) {
        int q = url.target().indexOf('?');
        return q < 0 ? url.target() : url.target().substring(0, q);
    }

    private static String reasonText(String reason) {
        return reason.isEmpty() ? "" : " (" + reason + ")";
    }

    /** {@code 200 "0" (X-Decision-Reason: ...)}, the body trimmed, shortened and made printable. */
    static String answerText(Hop h) {
        String body = Call.phpTrim(h.body());
        if (body.length() > 60) {
            body = body.substring(0, 60) + "...";
        }
        StringBuilder printable = new StringBuilder();
        body.codePoints().forEach(c -> printable.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
        return h.status() + " \"" + printable + "\""
                + h.header("x-decision-reason")
                        .map(r -> " (X-Decision-Reason: " + r + ")")
                        .orElse("");
    }

    static String formBody(Sample s) {
        // PHP's http_build_query of REDCap's array, in REDCap's order.
        return "user=" + phpUrlencode(s.user()) + "&project_id=" + phpUrlencode(s.projectId()) + "&redcap_url="
                + phpUrlencode(s.redcapUrl());
    }

    /** PHP's {@code urlencode}: alphanumerics and {@code -_.} kept, space as '+', all else %XX of UTF-8. */
    static String phpUrlencode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.".indexOf(c) >= 0) {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
