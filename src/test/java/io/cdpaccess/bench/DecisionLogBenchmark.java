package io.cdpaccess.bench;

import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.PolicyException;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The decision log alone: {@link DecisionLog#append} on the embedded SQLite store (a fresh file
 * under {@code target/}, WAL, {@code synchronous=FULL}, pool of 4, busy timeout 1 s), with 64
 * threads each appending one distinct allow record and waiting for its commit, as request threads
 * do. Each record carries the explanation the service writes for an allow under
 * {@link DeciderBenchmark}'s 20-rule policy (taken from a real evaluation). Any outcome but
 * {@code COMMITTED} fails the run, and at the end the table must hold exactly as many rows as
 * appends were reported committed. Run with {@code bench/decision-log.sh}; not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(64)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DecisionLogBenchmark {

    /** What a request thread gives the log: the service's default deadline. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Path dataDir;
    private Database database;
    private DecisionLog log;
    private DecisionRecord template;
    private final Clock clock = Clock.systemUTC();
    private final LongAdder committed = new LongAdder();
    private final Map<Outcome, LongAdder> failures = new EnumMap<>(Outcome.class);

    /** One real allow under the 20-rule policy: its record as the service would write it. */
    static DecisionRecord allowRecord() throws PolicyException {
        return allowRecord(
                DeciderBenchmark.policy(),
                DeciderBenchmark.snapshot(1),
                AccessRequest.of("JDoe", 42, DeciderBenchmark.URL),
                DeciderBenchmark.NOW);
    }

    /** The record the service writes for {@code request} allowed under {@code policy} at {@code now}. */
    static DecisionRecord allowRecord(
            CompiledPolicy policy, StoreSnapshot snapshot, AccessRequest request, java.time.Instant now) {
        Decider decider = new Decider(() -> policy, () -> snapshot, Clock.fixed(now, ZoneOffset.UTC));
        Decision d = decider.decide(
                DeciderBenchmark.PROD,
                request,
                Optional.of("10.20.30.40"),
                Deadline.start(Ticker.system(), Duration.ofMinutes(1)));
        if (!d.allowed()) {
            throw new IllegalStateException(
                    "the benchmark's decision is not an allow: " + d.reason() + " " + d.detail());
        }
        return new DecisionRecord(
                "template",
                now,
                Optional.of(DeciderBenchmark.PROD.name()),
                Optional.of(request.user()),
                Optional.of(request.normalizedUser()),
                Optional.of(Long.toString(request.projectId())),
                Optional.of(request.redcapUrl().value()),
                "10.20.30.40",
                "127.0.0.1",
                d.effect(),
                d.reason(),
                Optional.ofNullable(d.detail()),
                200,
                180,
                d.grantId(),
                d.explanation().map(e -> e.policyVersion()),
                d.explanation().map(e -> Explanations.toJson(e, d.sources())));
    }

    /** The template with a new id and time: a distinct record, as each request's is. */
    static DecisionRecord distinct(DecisionRecord t, Clock clock) {
        return new DecisionRecord(
                Ids.next(clock),
                clock.instant(),
                t.instance(),
                t.user(),
                t.normalizedUser(),
                t.projectId(),
                t.redcapUrl(),
                t.callerIp(),
                t.peerIp(),
                t.effect(),
                t.reason(),
                t.detail(),
                t.httpStatus(),
                t.latencyMicros(),
                t.grantId(),
                t.policyVersion(),
                t.explanation());
    }

    /** The embedded store as the service opens it, with the benchmark's pool and busy timeout. */
    static Database openStore(Path dataDir, int poolSize) {
        return Database.open(
                new StoreConfig(
                        StoreConfig.embeddedUrl(dataDir),
                        "",
                        Secret.none(),
                        poolSize,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1)),
                "bench");
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws PolicyException, IOException {
        for (Outcome o : Outcome.values()) {
            failures.put(o, new LongAdder());
        }
        template = allowRecord();
        Path base = Path.of("target", "bench-decision-log");
        Files.createDirectories(base);
        dataDir = Files.createTempDirectory(base.toAbsolutePath(), "store-");
        database = openStore(dataDir, 4);
        log = new DecisionLog(database.dataSource(), clock);
        System.out.printf(
                "%n[decision log] store %s, %d threads, explanation %d chars%n",
                dataDir,
                params.getThreads(),
                template.explanation().orElseThrow().length());
    }

    @Benchmark
    public Outcome append() {
        Outcome outcome = log.append(distinct(template, clock), TIMEOUT);
        if (outcome == Outcome.COMMITTED) {
            committed.increment();
        } else {
            failures.get(outcome).increment();
        }
        return outcome;
    }

    @TearDown(Level.Iteration)
    public void noFailures() {
        long failed = failures.values().stream().mapToLong(LongAdder::sum).sum();
        if (failed > 0) {
            throw new IllegalStateException("appends not committed: " + failures);
        }
        long commits = log.counters().commits();
        long records = log.counters().recordsWritten();
        System.out.printf(
                "%n[decision log] so far: %d records in %d commits (%.1f per commit), mean commit %.2f ms%n",
                records,
                commits,
                commits == 0 ? 0.0 : (double) records / commits,
                commits == 0 ? 0.0 : log.counters().commitNanos() / 1e6 / commits);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException, IOException {
        log.close();
        long rows;
        try (Connection c = database.connection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM decisions")) {
            rs.next();
            rows = rs.getLong(1);
        }
        database.close();
        long sizes = 0;
        for (String name : new String[] {"store.db", "store.db-wal"}) {
            Path f = dataDir.resolve(name);
            sizes += Files.exists(f) ? Files.size(f) : 0;
        }
        System.out.printf(
                "%n[decision log] %d rows, %d appends reported committed, store.db + wal %d bytes%n",
                rows, committed.sum(), sizes);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        if (rows != committed.sum()) {
            throw new IllegalStateException(
                    "the table holds " + rows + " rows but " + committed.sum() + " appends were reported committed");
        }
    }
}
