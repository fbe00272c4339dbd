package io.cdpaccess.http;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Receives a {@code /user-access} request's whole body before any server thread is given to it,
 * within the deadline counted from the request's first byte.
 *
 * <p>The handlers above read bodies with blocking servlet reads, so a client sending its body a
 * byte at a time held a thread for as long as it liked: 260 such connections held all 250 threads
 * and REDCap's own calls waited 17–27 s. Here the body is read as Jetty's selector delivers it,
 * with no thread waiting in between (Jetty parses headers the same way), into at most
 * {@code limit + 1} bytes; only then is the request dispatched, with the body served from memory,
 * so the blocking read above never blocks. A body not complete three quarters into the deadline
 * from the first byte is dispatched as it is, marked {@link #INCOMPLETE}, and refused at once: the
 * last quarter is left for recording that answer, so that even a slow client's exchange ends
 * within the deadline, on the record and with its reason. The time
 * of the first byte goes along as {@link #FIRST_BYTE_NANOS} so the request's deadline and latency
 * start there, not at dispatch (the head before it is {@link HeadDeadline}'s to bound; over TLS the
 * first request's first byte is the handshake's). Connections are not capped per address: all of REDCap's calls come
 * from one.
 */
final class WholeRequestFirst extends Handler.Wrapper {

    /** Request attribute: {@link System#nanoTime()} when the request's first byte arrived. */
    static final String FIRST_BYTE_NANOS = "cdp-access.first-byte-nanos";

    /** Request attribute, set when the deadline passed before the whole body arrived. */
    static final String INCOMPLETE = "cdp-access.body-incomplete";

    private final String path;
    private final int limit;
    private final Duration receiving;

    /**
     * @param path the one path whose bodies are received first
     * @param limit bodies are kept up to one byte more than this, enough to tell they are too large
     * @param receiving how long after the request's first byte its body may still be arriving:
     *     three quarters of the deadline
     */
    WholeRequestFirst(String path, int limit, Duration receiving) {
        this.path = path;
        this.limit = limit;
        this.receiving = receiving;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        request.setAttribute(FIRST_BYTE_NANOS, request.getBeginNanoTime());
        if (!path.equals(Request.getPathInContext(request))) {
            return super.handle(request, response, callback);
        }
        new Receiver(request, response, callback).start();
        return true;
    }

    /** One request's body on its way in; dispatched once, by whichever comes first. */
    private final class Receiver implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final AtomicBoolean dispatched = new AtomicBoolean();
        private byte[] body = new byte[0];
        private volatile Scheduler.Task deadlineTimer;

        Receiver(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void start() {
            long left = receiving.toNanos() - (System.nanoTime() - request.getBeginNanoTime());
            if (left <= 0) {
                dispatch(true, false);
                return;
            }
            deadlineTimer = request.getComponents()
                    .getScheduler()
                    .schedule(() -> dispatch(true, true), left, TimeUnit.NANOSECONDS);
            read(false);
        }

        /** Demand callback: more of the body may be there. */
        @Override
        public void run() {
            read(true);
        }

        private void read(boolean fromCallback) {
            while (!dispatched.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    dispatch(true, fromCallback); // the connection failed or timed out mid-body
                    return;
                }
                boolean last = chunk.isLast();
                append(chunk.getByteBuffer());
                chunk.release();
                if (last || body.length > limit) {
                    dispatch(false, fromCallback);
                    return;
                }
            }
        }

        private synchronized void append(ByteBuffer bytes) {
            int take = Math.min(bytes.remaining(), limit + 1 - body.length);
            if (take <= 0) {
                return;
            }
            byte[] grown = Arrays.copyOf(body, body.length + take);
            bytes.get(grown, body.length, take);
            body = grown;
        }

        /**
         * Hands the request on, with what arrived of its body, on a pool thread when called from a
         * callback or the timer (the handlers above block).
         */
        private void dispatch(boolean incomplete, boolean onPoolThread) {
            if (!dispatched.compareAndSet(false, true)) {
                return;
            }
            byte[] received;
            synchronized (this) {
                received = body;
            }
            if (incomplete) {
                request.setAttribute(INCOMPLETE, true);
            }
            Scheduler.Task timer = deadlineTimer;
            if (timer != null) {
                timer.cancel();
            }
            Request whole = new ReceivedBody(request, received);
            Runnable next = () -> {
                try {
                    if (!WholeRequestFirst.super.handle(whole, response, callback)) {
                        Response.writeError(request, response, callback, 404);
                    }
                } catch (Throwable t) {
                    Response.writeError(request, response, callback, t);
                }
            };
            if (onPoolThread) {
                request.getContext().execute(next);
            } else {
                next.run();
            }
        }
    }

    /**
     * The request with its body served from memory: all that arrived at the first read, then the
     * end (a body cut off by the deadline is marked {@link #INCOMPLETE}, never passed as whole).
     */
    private static final class ReceivedBody extends Request.Wrapper {
        private final byte[] body;
        private boolean served;

        ReceivedBody(Request wrapped, byte[] body) {
            super(wrapped);
            this.body = body;
        }

        @Override
        public synchronized Content.Chunk read() {
            if (!served) {
                served = true;
                return Content.Chunk.from(ByteBuffer.wrap(body), true);
            }
            return Content.Chunk.EOF;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }
    }
}
