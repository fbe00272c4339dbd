package io.cdpaccess.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many connections each sending the same bytes one at a time, one every {@code interval} (well
 * inside the server's idle timeout, so only a bound on the whole exchange can end them), all
 * driven and watched by one thread: for each connection, when its first byte went out, whether
 * the server sent it anything, and when the server closed it.
 */
public final class Tricklers implements AutoCloseable {

    private final List<SocketChannel> channels;
    private final byte[] bytes;
    private final Duration interval;
    private final long[] firstByteNanos;
    private final AtomicLongArray closedNanos;
    private final AtomicIntegerArray received;
    private final CountDownLatch allClosed;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean stopped;

    private Tricklers(List<SocketChannel> channels, long[] firstByteNanos, byte[] bytes, Duration interval)
            throws IOException {
        this.channels = channels;
        this.bytes = bytes;
        this.interval = interval;
        this.firstByteNanos = firstByteNanos;
        this.closedNanos = new AtomicLongArray(channels.size());
        this.received = new AtomicIntegerArray(channels.size());
        this.allClosed = new CountDownLatch(channels.size());
        this.selector = Selector.open();
        for (int i = 0; i < channels.size(); i++) {
            channels.get(i).configureBlocking(false);
            channels.get(i).register(selector, SelectionKey.OP_READ, i);
        }
        this.thread = new Thread(this::run, "tricklers");
        this.thread.setDaemon(true);
    }

    /**
     * Opens {@code count} connections to {@code server}, sends the first of {@code bytes} on each
     * as it opens, and then one more byte per connection every {@code interval}.
     */
    public static Tricklers start(InetSocketAddress server, int count, byte[] bytes, Duration interval)
            throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                channels.add(SocketChannel.open(server));
            }
        } catch (IOException | RuntimeException e) {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            throw e;
        }
        return on(channels, bytes, interval);
    }

    /**
     * Goes on with connections already open (after a first request on each, say): sends the first
     * of {@code bytes} on each now, then one more every {@code interval}. Closes them when closed.
     */
    public static Tricklers on(List<SocketChannel> channels, byte[] bytes, Duration interval) throws IOException {
        long[] firstByte = new long[channels.size()];
        try {
            for (int i = 0; i < channels.size(); i++) {
                SocketChannel channel = channels.get(i);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                firstByte[i] = System.nanoTime();
                channel.write(ByteBuffer.wrap(bytes, 0, 1));
            }
            Tricklers tricklers = new Tricklers(List.copyOf(channels), firstByte, bytes, interval);
            tricklers.thread.start();
            return tricklers;
        } catch (IOException | RuntimeException e) {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            throw e;
        }
    }

    private void run() {
        int next = 1;
        long nextWrite = System.nanoTime() + interval.toNanos();
        try {
            while (!stopped && allClosed.getCount() > 0) {
                long now = System.nanoTime();
                if (now - nextWrite >= 0 && next < bytes.length) {
                    for (int i = 0; i < channels.size(); i++) {
                        if (closedNanos.get(i) == 0) {
                            try {
                                channels.get(i).write(ByteBuffer.wrap(bytes, next, 1));
                            } catch (IOException closedByServer) {
                                closed(i);
                            }
                        }
                    }
                    next++;
                    nextWrite += interval.toNanos();
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextWrite - System.nanoTime())));
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    try {
                        int n = ((SocketChannel) key.channel()).read(ByteBuffer.allocate(4096));
                        if (n < 0) {
                            closed(i);
                        } else {
                            received.addAndGet(i, n);
                        }
                    } catch (IOException reset) {
                        closed(i);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void closed(int i) {
        if (closedNanos.compareAndSet(i, 0, System.nanoTime())) {
            SelectionKey key = channels.get(i).keyFor(selector);
            if (key != null) {
                key.cancel();
            }
            allClosed.countDown();
        }
    }

    /** How many connections the server has closed so far. */
    public int closedSoFar() {
        return (int) (channels.size() - allClosed.getCount());
    }

    /** Bytes the server sent to connection {@code i}. */
    public int received(int i) {
        return received.get(i);
    }

    /**
     * Waits until the server closed every connection, at most {@code patience}; then, for each,
     * the time from its first byte to its closing.
     *
     * @throws AssertionError when some were still open: the server let them go on
     */
    public List<Duration> awaitAllClosed(Duration patience) throws InterruptedException {
        if (!allClosed.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(allClosed.getCount() + " of " + channels.size()
                    + " trickling connections still open " + patience + " after they began");
        }
        List<Duration> lived = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            lived.add(Duration.ofNanos(closedNanos.get(i) - firstByteNanos[i]));
        }
        return lived;
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }
}
