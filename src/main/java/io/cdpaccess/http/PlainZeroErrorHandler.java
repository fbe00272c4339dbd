package io.cdpaccess.http;

import io.cdpaccess.protocol.Answer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses (unparseable request line, headers too large, ...) as
 * {@code text/plain} {@code 0} with the status Jetty chose: no HTML page, no stack, no server
 * details, and never a body REDCap could read as {@code 1}.
 */
final class PlainZeroErrorHandler extends ErrorHandler {

    private static final byte[] ZERO = "0".getBytes(StandardCharsets.US_ASCII);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Answer.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(ZERO), callback);
        return true;
    }
}
