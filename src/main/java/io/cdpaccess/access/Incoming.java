package io.cdpaccess.access;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One request to {@code /user-access} as the listener received it, before any check: what the
 * request path needs of the HTTP exchange, with the body still unread (it is read only once the
 * caller is authenticated).
 *
 * @param peerAddress the TCP peer's address as the server reports it (an IP literal), parsed on the
 *     request path so that even a malformed one ends in a recorded answer
 * @param forwardedFor every {@code X-Forwarded-For} header value, in the order received
 * @param secrets every value of the query parameter named secret
 * @param authorizations every {@code Authorization} header, in the order received (more than one
 *     is no authentication, as a repeated secret parameter is not)
 * @param contentType the {@code Content-Type} header, if sent
 * @param refererSent whether a {@code Referer} header came: cURL adds one when it follows a
 *     redirect, and REDCap itself never sends one. Only its presence is kept: its value is the
 *     URL before the redirect, secret included.
 * @param sinceFirstByte how long before it was handed over its first byte arrived: the deadline
 *     and the latency count from there
 */
public record Incoming(
        String method,
        String peerAddress,
        List<String> forwardedFor,
        List<String> secrets,
        List<String> authorizations,
        Optional<String> contentType,
        boolean refererSent,
        Duration sinceFirstByte,
        Body body) {

    public Incoming {
        forwardedFor = List.copyOf(forwardedFor);
        secrets = List.copyOf(secrets);
        authorizations = List.copyOf(authorizations);
    }

    /** The request body, read on demand. */
    public interface Body {
        /** The declared {@code Content-Length}, or -1 when none was declared (chunked). */
        long declaredLength();

        /** Reads the body, but never more than {@code limit} bytes. */
        byte[] readAtMost(int limit) throws IOException;
    }
}
