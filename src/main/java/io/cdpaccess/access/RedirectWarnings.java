package io.cdpaccess.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN an operator needs when a redirect in front of the service breaks REDCap's calls, said
 * at most once a minute however many calls it breaks: every call of every user arrives that way
 * until the URL in REDCap is fixed, and one line per call would drown the log. Each call is still
 * on the record. The warning never quotes the {@code Referer}: it is the URL REDCap was given,
 * secret included.
 */
final class RedirectWarnings {

    private static final Duration QUIET = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(RedirectWarnings.class);

    private final Clock clock;
    private final AtomicReference<Instant> bodyDroppedSaid = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<Instant> credentialsDroppedSaid = new AtomicReference<>(Instant.MIN);

    RedirectWarnings(Clock clock) {
        this.clock = clock;
    }

    /** A call of {@code instance} arrived without its body, with a {@code Referer}. */
    void bodyDropped(String instance) {
        if (due(bodyDroppedSaid)) {
            log.warn(
                    "instance {}: a call arrived without its body after a redirect (it has a Referer): REDCap's cURL"
                            + " re-sends a POST redirected by 301/302/303 without the form, so every user is denied"
                            + " while the Test button shows Success!; paste the final https:// URL into REDCap"
                            + " (recorded as redirected-without-body; said at most once a minute)",
                    instance);
        }
    }

    /** A call without valid credentials arrived with a {@code Referer}. */
    void credentialsDropped() {
        if (due(credentialsDroppedSaid)) {
            log.warn("a call without a valid secret came through a redirect (it has a Referer): a redirect to another"
                    + " host or port drops the user:password@ of the URL REDCap was given; paste the final URL"
                    + " into REDCap, or put the secret in ?secret= (recorded as unauthenticated; said at most once"
                    + " a minute)");
        }
    }

    private boolean due(AtomicReference<Instant> said) {
        Instant now = clock.instant();
        Instant last = said.get();
        return !now.isBefore(last.plus(QUIET)) && said.compareAndSet(last, now);
    }
}
