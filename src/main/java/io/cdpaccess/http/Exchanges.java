package io.cdpaccess.http;

import io.cdpaccess.net.IpAddresses;
import io.cdpaccess.protocol.Answer;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** What every handler on the listener reads from, and how it writes, an HTTP exchange. */
final class Exchanges {

    private Exchanges() {}

    /** The TCP peer. */
    static InetAddress peer(Context ctx) {
        return IpAddresses.parseLiteral(ctx.req().getRemoteAddr());
    }

    /** Every {@code X-Forwarded-For} header value, in the order received. */
    static List<String> forwardedFor(Context ctx) {
        Enumeration<String> values = ctx.req().getHeaders("X-Forwarded-For");
        return values == null ? List.of() : Collections.list(values);
    }

    /** Writes one of the fixed answers, as every answer and refusal on this listener is written. */
    static void answer(Context ctx, Answer answer) {
        ctx.status(answer.status())
                .contentType(Answer.CONTENT_TYPE)
                .header("Cache-Control", "no-store")
                .result(answer.body());
    }
}
