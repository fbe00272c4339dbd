package io.cdpaccess.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.outcome.Effect;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Where a record goes when the store cannot take it: a bounded file in the data directory,
 * {@value #FILE_NAME}, that outlives the process. Only records of answers that were not an allow
 * land here (a refusal, or the 503 {@code 0} given because the store failed): an allow is never
 * given without its record committed to the store. Each record is fsynced before {@link #add}
 * returns, so before its answer is written. Once the store is back, the decision log writes the
 * spooled records to it in order ({@link #pending}, {@link #removeThrough}).
 *
 * <p>The file is owner-only and preallocated ({@value #CAPACITY} bytes of zeros when created), so
 * that a full disk, often the very reason the store fails, does not also stop the spool. Layout:
 * entries from offset 0, each a 4-byte length, a 4-byte CRC-32 and that many bytes of JSON; a
 * zero length ends them. A torn last entry (power cut mid-write) fails its CRC and ends them too.
 * The file is locked while open: two processes must not share one data directory's spool.
 */
public final class Spool implements AutoCloseable {

    public static final String FILE_NAME = "decision-spool";
    static final int CAPACITY = 8 * 1024 * 1024;
    private static final int HEADER = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    /**
     * Plain file I/O, not a {@link FileChannel}: a channel is closed for good when a thread using
     * it is interrupted (a poller being stopped, a request thread cut off), and with it the spool.
     */
    private final RandomAccessFile io;

    private final FileLock lock;
    private long end;

    private Spool(Path file, RandomAccessFile io, FileLock lock) {
        this.file = file;
        this.io = io;
        this.lock = lock;
    }

    /**
     * Opens the spool of {@code dataDir}, creating the directory ({@code 0700}) and the file
     * ({@code 0600}, preallocated) if missing.
     *
     * @throws UncheckedIOException with a one-line message when it cannot be created or another
     *     process holds it
     */
    public static Spool open(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            OwnerOnly.createDirectories(dataDir);
            if (!Files.exists(file)) {
                preallocate(file);
            }
            RandomAccessFile io = new RandomAccessFile(file.toFile(), "rw");
            FileLock lock;
            try {
                lock = io.getChannel().tryLock();
            } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                io.close();
                throw new IOException("another cdp-access process is using it; give each server its own data_dir");
            }
            Spool spool = new Spool(file, io, lock);
            spool.end = spool.scan().end;
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the decision spool " + file + ": " + e.getMessage(), e);
        }
    }

    private static void preallocate(Path file) throws IOException {
        Path temp = file.resolveSibling(FILE_NAME + ".new");
        Files.deleteIfExists(temp);
        OwnerOnly.createFile(temp);
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long written = 0; written < CAPACITY; ) {
                zeros.clear();
                written += c.write(zeros, written);
            }
            c.force(true);
        }
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Spools {@code record} durably; false when the spool is full or its file failed. */
    public synchronized boolean add(DecisionRecord record) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(toMap(record));
        } catch (IOException e) {
            throw new IllegalStateException("a decision record always serializes", e);
        }
        if (end + HEADER + json.length + 4 > CAPACITY) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(json);
        ByteBuffer entry = ByteBuffer.allocate(HEADER + json.length + 4);
        entry.putInt(json.length).putInt((int) crc.getValue()).put(json).putInt(0);
        try {
            io.seek(end);
            io.write(entry.array());
            io.getFD().sync();
        } catch (IOException e) {
            return false;
        }
        end += HEADER + json.length;
        return true;
    }

    /** What the spool holds, in order, and where it ends. */
    public record Pending(List<DecisionRecord> records, long end) {}

    /** The spooled records, oldest first. */
    public synchronized Pending pending() {
        try {
            return scan();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the decision spool " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Forgets the records up to {@code through} (a {@link Pending#end()}), now in the store;
     * records spooled meanwhile move to the front.
     */
    public synchronized void removeThrough(long through) {
        try {
            int rest = (int) (end - through);
            byte[] moved = new byte[rest + 4]; // the records spooled meanwhile, then a zero length
            io.seek(through);
            io.readFully(moved, 0, rest);
            io.seek(0);
            io.write(moved);
            io.getFD().sync();
            end = rest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the decision spool " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether nothing is waiting. */
    public synchronized boolean isEmpty() {
        return end == 0;
    }

    private Pending scan() throws IOException {
        List<DecisionRecord> records = new ArrayList<>();
        long at = 0;
        while (at + HEADER <= CAPACITY) {
            io.seek(at);
            int length = io.readInt();
            int expected = io.readInt();
            if (length <= 0 || at + HEADER + length > CAPACITY) {
                break;
            }
            byte[] body = new byte[length];
            io.readFully(body);
            CRC32 crc = new CRC32();
            crc.update(body);
            if ((int) crc.getValue() != expected) {
                break; // torn by a crash mid-write: that answer was never sent
            }
            records.add(fromMap(JSON.readValue(body, new TypeReference<Map<String, Object>>() {})));
            at += HEADER + length;
        }
        return new Pending(List.copyOf(records), at);
    }

    private static Map<String, Object> toMap(DecisionRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision_id", r.decisionId());
        m.put("decided_at_ms", r.decidedAt().toEpochMilli());
        m.put("instance", r.instance().orElse(null));
        m.put("user", r.user().orElse(null));
        m.put("normalized_user", r.normalizedUser().orElse(null));
        m.put("project_id", r.projectId().orElse(null));
        m.put("redcap_url", r.redcapUrl().orElse(null));
        m.put("caller_ip", r.callerIp());
        m.put("peer_ip", r.peerIp());
        m.put("effect", r.effect().label());
        m.put("reason", r.reason());
        m.put("detail", r.detail().orElse(null));
        m.put("http_status", r.httpStatus());
        m.put("latency_us", r.latencyMicros());
        m.put("grant_id", r.grantId().orElse(null));
        m.put("policy_version", r.policyVersion().orElse(null));
        m.put("explanation", r.explanation().orElse(null));
        return m;
    }

    private static DecisionRecord fromMap(Map<String, Object> m) {
        return new DecisionRecord(
                (String) m.get("decision_id"),
                Instant.ofEpochMilli(((Number) m.get("decided_at_ms")).longValue()),
                text(m, "instance"),
                text(m, "user"),
                text(m, "normalized_user"),
                text(m, "project_id"),
                text(m, "redcap_url"),
                (String) m.get("caller_ip"),
                (String) m.get("peer_ip"),
                Effect.fromLabel((String) m.get("effect")),
                (String) m.get("reason"),
                text(m, "detail"),
                ((Number) m.get("http_status")).intValue(),
                ((Number) m.get("latency_us")).longValue(),
                text(m, "grant_id"),
                text(m, "policy_version"),
                text(m, "explanation"));
    }

    private static Optional<String> text(Map<String, Object> m, String key) {
        return Optional.ofNullable((String) m.get(key));
    }

    @Override
    public synchronized void close() {
        try {
            lock.release();
            io.close();
        } catch (IOException e) {
            // closing at shutdown; the lock goes with the process
        }
    }
}
