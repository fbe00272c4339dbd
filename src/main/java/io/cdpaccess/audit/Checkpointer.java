package io.cdpaccess.audit;

import io.cdpaccess.chain.ChainHead;
import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.time.Poller;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits a signed {@link Checkpoint} of each of this process's chains every so often (when its
 * head moved) and once more when it closes, to each {@link Sink}: by default the log (standard
 * error, which systemd's journal and container runtimes keep apart from the database), and as
 * configured a file to ship elsewhere and a syslog server.
 */
public final class Checkpointer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("cdp-access.checkpoint");

    /** Where checkpoints go. */
    public interface Sink {
        void emit(Checkpoint checkpoint) throws IOException;

        /** How log lines name it when it fails. */
        String name();
    }

    /** The key checkpoints are signed with, asked at each emission (a rotated key is used at once). */
    @FunctionalInterface
    public interface KeySource {
        CheckpointKeys.SigningKey key() throws IOException;
    }

    /**
     * One chain of this process.
     *
     * @param table the table its records go to
     * @param head its head now, empty before its first record
     */
    public record Writer(String table, Supplier<Optional<ChainHead>> head) {}

    private final List<Writer> writers;
    private final KeySource keys;
    private final List<Sink> sinks;
    private final Clock clock;
    private final Map<String, ChainHead> emitted = new HashMap<>();
    private final Optional<Poller> poller;

    /**
     * Starts emitting every {@code every}; with {@code Duration.ZERO}, only when {@link #emitNow}
     * or {@link #close} is called (a command-line invocation).
     */
    public Checkpointer(List<Writer> writers, KeySource keys, List<Sink> sinks, Clock clock, Duration every) {
        this.writers = List.copyOf(writers);
        this.keys = keys;
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
        this.poller = every.isZero()
                ? Optional.empty()
                : Optional.of(Poller.start("cdp-access-checkpoints", every, () -> emitNow(false)));
    }

    /**
     * Emits a checkpoint of each chain whose head moved since the last one (every chain with
     * {@code always}).
     *
     * @return how many were emitted
     */
    public synchronized int emitNow(boolean always) {
        return emit(always, false);
    }

    private synchronized int emit(boolean always, boolean last) {
        int n = 0;
        for (Writer w : writers) {
            Optional<ChainHead> head = w.head().get();
            if (head.isEmpty()
                    || (!always
                            && head.get()
                                    .equals(emitted.get(
                                            w.table() + " " + head.get().chainId())))) {
                continue;
            }
            Checkpoint checkpoint;
            try {
                checkpoint = Checkpoint.sign(w.table(), head.get(), clock.instant(), last, keys.key());
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "no checkpoint of chain {}: cannot sign ({})",
                        head.get().chainId(),
                        e.getMessage());
                continue;
            }
            for (Sink sink : sinks) {
                try {
                    sink.emit(checkpoint);
                } catch (IOException | RuntimeException e) {
                    LOG.warn(
                            "checkpoint of chain {} not written to {}: {}",
                            head.get().chainId(),
                            sink.name(),
                            e.getMessage());
                }
            }
            emitted.put(w.table() + " " + head.get().chainId(), head.get());
            n++;
        }
        return n;
    }

    /**
     * Stops the schedule and emits the last checkpoint of every chain that has records: the
     * writers are done, and no record may follow these heads.
     */
    @Override
    public void close() {
        poller.ifPresent(Poller::close);
        emit(true, true);
    }

    /**
     * The sinks a configuration names.
     *
     * @param log whether to the log too (a server: its standard error is the journal's; not a
     *     command, whose standard error is a person's terminal)
     */
    public static List<Sink> sinks(boolean log, Optional<Path> file, Optional<HostPort> syslog) {
        List<Sink> sinks = new java.util.ArrayList<>();
        if (log) {
            sinks.add(log());
        }
        file.map(Checkpointer::file).ifPresent(sinks::add);
        syslog.map(Checkpointer::syslog).ifPresent(sinks::add);
        return List.copyOf(sinks);
    }

    /** The log: one INFO line of logger {@code cdp-access.checkpoint} holding the checkpoint's JSON. */
    public static Sink log() {
        return new Sink() {
            @Override
            public void emit(Checkpoint checkpoint) {
                LOG.info("checkpoint {}", checkpoint.json());
            }

            @Override
            public String name() {
                return "the log";
            }
        };
    }

    /** A file, owner-only, one checkpoint per line, each synced to disk before the next. */
    public static Sink file(Path file) {
        return new Sink() {
            @Override
            public void emit(Checkpoint checkpoint) throws IOException {
                if (!Files.exists(file)) {
                    OwnerOnly.createFile(file);
                }
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    out.write(ByteBuffer.wrap((checkpoint.json() + "\n").getBytes(StandardCharsets.UTF_8)));
                    out.force(true);
                }
            }

            @Override
            public String name() {
                return file.toString();
            }
        };
    }

    /**
     * A syslog server over UDP (RFC 5424, facility authpriv, severity notice): a checkpoint per
     * datagram, its JSON as the message.
     */
    public static Sink syslog(HostPort server) {
        return new Sink() {
            @Override
            public void emit(Checkpoint checkpoint) throws IOException {
                String message = "<85>1 " + checkpoint.time() + " - cdp-access "
                        + ProcessHandle.current().pid() + " checkpoint - " + checkpoint.json();
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.send(new DatagramPacket(
                            bytes, bytes.length, new InetSocketAddress(server.host(), server.port())));
                }
            }

            @Override
            public String name() {
                return "syslog " + server;
            }
        };
    }
}
