package io.cdpaccess.source.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read only up to a limit: past it, reading stops (the subscription is
 * cancelled, so the client drops the connection) and the body either fails ({@link TooLong}) or,
 * for an error's snippet, ends with what was read. Nothing past the limit is kept in memory.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** The body went past the limit. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;

        TooLong(int limit) {
            super("the answer is longer than max_response_bytes (" + limit + ")");
        }
    }

    private final int limit;
    private final boolean failWhenLonger;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    BoundedBody(int limit, boolean failWhenLonger) {
        this.limit = limit;
        this.failWhenLonger = failWhenLonger;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (result.isDone()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer b : items) {
            int room = limit - bytes.size();
            if (b.remaining() > room) {
                if (failWhenLonger) {
                    stop();
                    result.completeExceptionally(new TooLong(limit));
                } else {
                    byte[] part = new byte[room];
                    b.get(part);
                    bytes.write(part, 0, room);
                    stop();
                    result.complete(bytes.toByteArray());
                }
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(bytes.toByteArray());
    }

    /** Stops reading: the lookup's time is up or the body is long enough. */
    void stop() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
