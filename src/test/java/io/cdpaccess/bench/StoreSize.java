package io.cdpaccess.bench;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Policies;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.StoreSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How large the embedded store grows with the decision log: appends {@code count} records through
 * {@link DecisionLog} (group commit, 64 threads waiting as request threads do) to a new SQLite
 * store in {@code dir}, and prints the time taken and the size of {@code store.db} plus
 * {@code store.db-wal}, while open and after closing. Run with {@code bench/store-size.sh}; not a
 * test.
 *
 * <pre>
 * StoreSize allows COUNT DIR [default|site20]   # allow records with the explanation the policy gives
 * StoreSize refusals COUNT DIR                   # wrong-secret refusals (403), each on its own row
 * </pre>
 *
 * Allows carry the explanation the service writes for {@code user=alice&project_id=42} with a CLI
 * grant under the shipped default policy ({@code default}), or under {@link DeciderBenchmark}'s
 * 20-rule policy ({@code site20}). Refusals are written with the per-address summary limit lifted,
 * so that every one is a row: the per-row cost of the first 60 per address and minute.
 */
public final class StoreSize {

    private static final int THREADS = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private StoreSize() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: StoreSize allows|refusals COUNT DIR [default|site20]");
        }
        String kind = args[0];
        long count = Long.parseLong(args[1]);
        Path dir = Path.of(args[2]).toAbsolutePath();
        DecisionRecord template = switch (kind) {
            case "allows" ->
                args.length > 3 && args[3].equals("site20") ? DecisionLogBenchmark.allowRecord() : defaultPolicyAllow();
            case "refusals" -> refusal();
            default -> throw new IllegalArgumentException("allows or refusals, not " + kind);
        };
        Clock clock = Clock.systemUTC();
        Database database = DecisionLogBenchmark.openStore(dir, 4);
        long before = size(dir);
        DecisionLog log = new DecisionLog(database.dataSource(), clock, Integer.MAX_VALUE, Optional.empty());
        AtomicLong next = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                long n;
                while ((n = next.getAndIncrement()) < count) {
                    if (log.append(DecisionLogBenchmark.distinct(template, clock), TIMEOUT) != Outcome.COMMITTED) {
                        failed.incrementAndGet();
                    }
                    if ((n + 1) % 100_000 == 0) {
                        System.out.printf(
                                Locale.ROOT, "  %,d appended, %.1f s%n", n + 1, (System.nanoTime() - start) / 1e9);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long open = size(dir);
        long wal = fileSize(dir.resolve("store.db-wal"));
        long commits = log.counters().commits();
        log.close();
        database.close();
        long closed = size(dir);
        System.out.printf(
                Locale.ROOT,
                "%s: %,d records (explanation %d chars, %d failed) in %.1f s = %.0f records/s, %,d commits"
                        + " (%.1f records per commit)%n",
                kind,
                count,
                template.explanation().map(String::length).orElse(0),
                failed.get(),
                seconds,
                count / seconds,
                commits,
                (double) count / Math.max(1, commits));
        System.out.printf(
                Locale.ROOT,
                "  store.db + store.db-wal: empty store %,d bytes; while open %,d bytes (wal %,d);"
                        + " closed %,d bytes%n",
                before,
                open,
                wal,
                closed);
        System.out.printf(
                Locale.ROOT,
                "  per record: %.0f bytes while open, %.0f bytes closed%n",
                (open - before) / (double) count,
                (closed - before) / (double) count);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " appends not committed");
        }
    }

    /** The allow the service gives {@code user=alice&project_id=42} with a CLI grant, default policy. */
    static DecisionRecord defaultPolicyAllow() throws PolicyException {
        CompiledPolicy policy = Policies.compile(Policies.defaultSpec());
        Instant at = Instant.parse("2026-11-25T14:00:00Z");
        Grant grant = new Grant(
                Ids.next(Clock.systemUTC()),
                "prod",
                "alice",
                OptionalLong.of(42),
                at,
                Optional.empty(),
                at,
                "root",
                "bench",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        StoreSnapshot snapshot = new StoreSnapshot(1, List.of(grant), List.of(), List.of());
        return DecisionLogBenchmark.allowRecord(
                policy, snapshot, AccessRequest.of("alice", 42, DeciderBenchmark.URL), DeciderBenchmark.NOW);
    }

    /** A request with a wrong secret, as the service records it. */
    static DecisionRecord refusal() {
        return new DecisionRecord(
                "template",
                Instant.now(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "127.0.0.1",
                "127.0.0.1",
                Effect.REJECTED,
                Reason.UNAUTHENTICATED.code(),
                Optional.empty(),
                403,
                95,
                Optional.empty());
    }

    private static long size(Path dir) throws IOException {
        return fileSize(dir.resolve("store.db")) + fileSize(dir.resolve("store.db-wal"));
    }

    private static long fileSize(Path f) throws IOException {
        return Files.exists(f) ? Files.size(f) : 0;
    }
}
