package io.cdpaccess.bench;

import io.cdpaccess.audit.DecisionFilter;
import io.cdpaccess.audit.DecisionLog;
import io.cdpaccess.audit.DecisionQuery;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.audit.Explanations;
import io.cdpaccess.audit.GroupCommit.Outcome;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.db.Database;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.decision.Decision;
import io.cdpaccess.ids.Ids;
import io.cdpaccess.outcome.Effect;
import io.cdpaccess.outcome.Reason;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.protocol.AccessRequest;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Grant;
import io.cdpaccess.store.Project;
import io.cdpaccess.store.StoreSnapshot;
import io.cdpaccess.time.Deadline;
import io.cdpaccess.time.Ticker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decision log at scale (issue 13): seeds a store with millions of realistic decision records
 * through the service's own write path, times searches on it, and starts an embedded PostgreSQL to
 * hold one. Run by {@code bench/scale.sh}, which times {@code decisions export} and {@code audit
 * verify} through the real jar on the seeded store; not a test.
 *
 * <pre>
 * ScaleBench seed COUNT RUNS URL [USER PASSWORD]   # COUNT records in RUNS chains (process runs)
 * ScaleBench search URL [USER PASSWORD]             # time decisions list by user and by project
 * ScaleBench postgres DIR                           # embedded PostgreSQL in DIR until stopped
 * ScaleBench user N                                 # the name of user N (0: the busiest)
 * </pre>
 *
 * <p>What is seeded: 50,000 users and 5,000 projects of one instance, each user with one to
 * three projects, each granted and renewed every one to three years (a gap now and then, one in 30
 * revoked, 1 in 250 users with an all-projects grant), 1 in 200 users blocked and 1 in 97 projects suspended, as a snapshot; requests
 * spread evenly over four years (2023-2026), a few users and projects far busier than the rest
 * (the n-th busiest about as busy as 1/sqrt(n)), each mostly for a project the user holds a
 * grant on. Each is decided by the real {@link Decider} under the 20-rule policy of {@link
 * DeciderBenchmark} at its own time, so allows and denies, their reasons and explanations are
 * what the service would record; 2 in 100 are refused callers (a wrong secret), as the service
 * records them. Records are appended through {@link DecisionLog} (64 threads waiting for their
 * group commit, as request threads do: explanations deflated, chained, committed), one chain per
 * run, each run a new log whose chain starts from the previous run's head as a restarted server's
 * does. The content is the same on every run of the same COUNT (a fixed seed per record); ids
 * carry random bits, as the service's do.
 */
public final class ScaleBench {

    static final int USERS = 50_000;
    static final int PROJECTS = 5_000;
    private static final int THREADS = Integer.getInteger("threads", 512);
    private static final long SEED = 0x5CA1EL;
    private static final Instant FIRST = Instant.parse("2023-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String[] GIVEN = {
        "a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w"
    };
    private static final String[] FAMILY = {
        "smith",
        "johnson",
        "williams",
        "brown",
        "jones",
        "garcia",
        "miller",
        "davis",
        "rodriguez",
        "martinez",
        "hernandez",
        "lopez",
        "gonzalez",
        "wilson",
        "anderson",
        "thomas",
        "taylor",
        "moore",
        "jackson",
        "martin",
        "lee",
        "perez",
        "thompson",
        "white",
        "harris",
        "sanchez",
        "clark",
        "ramirez",
        "lewis",
        "robinson",
        "walker",
        "young",
        "allen",
        "king",
        "wright",
        "scott",
        "torres",
        "nguyen",
        "hill",
        "flores",
        "green",
        "adams"
    };
    private static final String[] GRANTERS = {"admin.alice", "admin.bob", "irb.office", "helpdesk.carol"};

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: ScaleBench seed COUNT RUNS URL [USER PASSWORD] | search URL"
                    + " [USER PASSWORD] | postgres DIR");
        }
        switch (args[0]) {
            case "seed" -> seed(Long.parseLong(args[1]), Integer.parseInt(args[2]), store(args, 3));
            case "search" -> search(store(args, 1));
            case "postgres" -> postgres(Path.of(args[1]));
            case "user" -> System.out.println(user(Integer.parseInt(args[1])));
            default -> throw new IllegalArgumentException("seed, search or postgres, not " + args[0]);
        }
    }

    private static StoreConfig store(String[] args, int at) {
        String user = args.length > at + 1 ? args[at + 1] : "";
        String password = args.length > at + 2 ? args[at + 2] : "";
        return new StoreConfig(args[at], user, Secret.of(password), 4, Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    /** The username of user {@code u}: an initial, a family name and a number, as directories make them. */
    static String user(int u) {
        return GIVEN[u % GIVEN.length] + FAMILY[(u / GIVEN.length) % FAMILY.length] + (u / 100 + 1);
    }

    /** Project {@code p}'s id (REDCap's project ids are numbers in the thousands). */
    static long project(int p) {
        return 1000 + p;
    }

    /** Index {@code 0..n-1}, the lower ones far more often: index i about as likely as 1/sqrt(i+1). */
    private static int skewed(SplittableRandom random, int n) {
        double r = random.nextDouble();
        return Math.min(n - 1, (int) (n * r * r));
    }

    /** User {@code u}'s own projects: one to three, the same on every call. */
    static int[] projectsOf(int u) {
        SplittableRandom random = new SplittableRandom(SEED * 31 + u);
        int[] own = new int[1 + random.nextInt(3)];
        for (int i = 0; i < own.length; i++) {
            own[i] = skewed(random, PROJECTS);
        }
        return own;
    }

    /** Grants, projects and blocks as the store would hold them over the four years. */
    static StoreSnapshot snapshot() {
        List<Grant> grants = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        long span = LAST.toEpochMilli() - FIRST.toEpochMilli();
        for (int u = 0; u < USERS; u++) {
            SplittableRandom random = new SplittableRandom(SEED * 17 + u);
            String name = user(u);
            int[] own = projectsOf(u);
            for (int i = 0; i < own.length; i++) {
                // Renewed every one to three years, with a gap now and then; a few revoked.
                Instant from = FIRST.minus(Duration.ofDays(random.nextInt(400)));
                for (int k = 0; from.isBefore(LAST); k++) {
                    Instant until = from.plus(Duration.ofDays(365 + random.nextInt(730)));
                    boolean revoked = random.nextInt(30) == 0;
                    Instant revokedAt = from.plus(Duration.ofDays(30 + random.nextInt(300)));
                    grants.add(new Grant(
                            "G-" + u + "-" + i + "-" + k,
                            "prod",
                            name,
                            u % 250 == 7 && i == 0 ? OptionalLong.empty() : OptionalLong.of(project(own[i])),
                            from,
                            Optional.of(until),
                            from,
                            GRANTERS[random.nextInt(GRANTERS.length)],
                            String.format(Locale.ROOT, "IRB-%d-%04d", 2022 + random.nextInt(4), own[i] % 10000),
                            revoked ? Optional.of(revokedAt) : Optional.empty(),
                            revoked ? Optional.of("irb.office") : Optional.empty(),
                            revoked ? Optional.of("left the study") : Optional.empty()));
                    from = until.plus(Duration.ofDays(random.nextInt(10) == 0 ? 60 + random.nextInt(120) : 0));
                }
            }
            if (u % 200 == 3) {
                Instant at = FIRST.plusMillis((long) (random.nextDouble() * span));
                blocks.add(new Block(
                        "B-" + u,
                        name,
                        "left the institution",
                        at,
                        "security.office",
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()));
            }
        }
        List<Project> projects = new ArrayList<>();
        for (int p = 0; p < PROJECTS; p++) {
            projects.add(new Project(
                    "prod",
                    project(p),
                    p % 97 == 0 ? Project.Status.SUSPENDED : Project.Status.APPROVED,
                    Optional.of(String.format(Locale.ROOT, "IRB-%d-%04d", 2022 + p % 4, p % 10000)),
                    Optional.empty(),
                    Optional.empty(),
                    FIRST,
                    "irb.office"));
        }
        return new StoreSnapshot(1, grants, projects, blocks);
    }

    /** A clock whose time its one thread sets: each record is decided and stamped at its own time. */
    static final class SetClock extends Clock {
        private Instant now = FIRST;

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Makes record {@code n} of {@code count}: the same content for the same n and count. */
    static final class Maker {
        private final SetClock clock = new SetClock();
        private final Decider decider;
        private final long count;

        Maker(CompiledPolicy policy, StoreSnapshot snapshot, long count) {
            this.decider = new Decider(() -> policy, () -> snapshot, clock);
            this.count = count;
        }

        /** The time of record n: spread evenly over the four years, in order. */
        static Instant at(long n, long count) {
            long span = LAST.toEpochMilli() - FIRST.toEpochMilli();
            return FIRST.plusMillis((long) ((double) span * n / count));
        }

        DecisionRecord make(long n, int[] userCounts, int[] projectCounts) {
            SplittableRandom random = new SplittableRandom(SEED ^ (n * 0x9E3779B97F4A7C15L));
            Instant at = at(n, count).plusMillis(random.nextInt(1000));
            clock.set(at);
            String id = Ids.next(clock);
            long latency = 150 + random.nextInt(random.nextInt(50) == 0 ? 200_000 : 3_000);
            if (random.nextInt(50) == 0) {
                return new DecisionRecord(
                        id,
                        at,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        "10.20.30." + (40 + random.nextInt(4)),
                        "10.20.30." + (40 + random.nextInt(4)),
                        Effect.REJECTED,
                        Reason.UNAUTHENTICATED.code(),
                        Optional.empty(),
                        403,
                        latency,
                        Optional.empty());
            }
            int u = skewed(random, USERS);
            int[] own = projectsOf(u);
            int p = random.nextInt(100) < 85 ? own[random.nextInt(own.length)] : skewed(random, PROJECTS);
            userCounts[u]++;
            projectCounts[p]++;
            String name = random.nextInt(10) == 0 ? user(u).toUpperCase(Locale.ROOT) : user(u);
            AccessRequest request = AccessRequest.of(name, project(p), DeciderBenchmark.URL);
            String caller = "10.20.30." + (40 + random.nextInt(4));
            Decision d = decider.decide(
                    DeciderBenchmark.PROD,
                    request,
                    Optional.of(caller),
                    Deadline.start(Ticker.system(), Duration.ofMinutes(1)));
            return new DecisionRecord(
                    id,
                    at,
                    Optional.of(DeciderBenchmark.PROD.name()),
                    Optional.of(request.user()),
                    Optional.of(request.normalizedUser()),
                    Optional.of(Long.toString(request.projectId())),
                    Optional.of(request.redcapUrl().value()),
                    caller,
                    "127.0.0.1",
                    d.effect(),
                    d.reason(),
                    Optional.ofNullable(d.detail()),
                    200,
                    latency,
                    d.grantId(),
                    d.explanation().map(e -> e.policyVersion()),
                    d.explanation().map(e -> Explanations.toJson(e, d.sources())));
        }
    }

    private static void seed(long count, int runs, StoreConfig config) throws Exception {
        CompiledPolicy policy = DeciderBenchmark.policy();
        StoreSnapshot snapshot = snapshot();
        int[][] userCounts = new int[THREADS][USERS];
        int[][] projectCounts = new int[THREADS][PROJECTS];
        AtomicLong failed = new AtomicLong();
        long[] effects = new long[Effect.values().length];
        AtomicIntegerArray byEffect = new AtomicIntegerArray(Effect.values().length);
        long start = System.nanoTime();
        try (Database database = Database.open(config, "scale-seed")) {
            for (int run = 0; run < runs; run++) {
                long from = count * run / runs;
                long to = count * (run + 1) / runs;
                // The run's log runs on a clock set back to its first record: its chain starts then.
                Clock runClock =
                        Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Maker.at(from, count)));
                DecisionLog log = new DecisionLog(
                        database.dataSource(),
                        runClock,
                        Integer.MAX_VALUE,
                        Optional.empty(),
                        "server pid " + (4000 + run) + " as cdp-access (scale seed run " + (run + 1) + " of " + runs
                                + ")");
                AtomicLong next = new AtomicLong(from);
                CountDownLatch done = new CountDownLatch(THREADS);
                for (int t = 0; t < THREADS; t++) {
                    int slot = t;
                    Thread thread = new Thread(() -> {
                        try {
                            Maker maker = new Maker(policy, snapshot, count);
                            long n;
                            while ((n = next.getAndIncrement()) < to) {
                                DecisionRecord r = maker.make(n, userCounts[slot], projectCounts[slot]);
                                byEffect.incrementAndGet(r.effect().ordinal());
                                if (log.append(r, TIMEOUT) != Outcome.COMMITTED) {
                                    failed.incrementAndGet();
                                }
                                if ((n + 1) % 500_000 == 0) {
                                    double s = (System.nanoTime() - start) / 1e9;
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  %,d records, %.0f s, %,.0f records/s%n",
                                            n + 1,
                                            s,
                                            (n + 1) / s);
                                }
                            }
                        } catch (Exception e) {
                            e.printStackTrace();
                            failed.incrementAndGet();
                        } finally {
                            done.countDown();
                        }
                    });
                    thread.start();
                }
                done.await();
                log.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int e = 0; e < effects.length; e++) {
            effects[e] = byEffect.get(e);
        }
        System.out.printf(
                Locale.ROOT,
                "seeded %,d records in %d chains in %.0f s = %,.0f records/s; %s%n",
                count,
                runs,
                seconds,
                count / seconds,
                effectSummary(effects));
        int[] users = sum(userCounts, USERS);
        int[] projects = sum(projectCounts, PROJECTS);
        System.out.printf(Locale.ROOT, "users: %s%n", spread(users));
        System.out.printf(Locale.ROOT, "projects: %s%n", spread(projects));
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records not committed");
        }
    }

    private static String effectSummary(long[] effects) {
        StringBuilder s = new StringBuilder();
        for (Effect e : Effect.values()) {
            if (effects[e.ordinal()] > 0) {
                s.append(s.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%,d %s", effects[e.ordinal()], e.label()));
            }
        }
        return s.toString();
    }

    private static int[] sum(int[][] perThread, int n) {
        int[] total = new int[n];
        for (int[] counts : perThread) {
            for (int i = 0; i < n; i++) {
                total[i] += counts[i];
            }
        }
        return total;
    }

    private static String spread(int[] counts) {
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        return String.format(
                Locale.ROOT,
                "busiest %,d records, median %,d, least %,d",
                sorted[sorted.length - 1],
                sorted[sorted.length / 2],
                sorted[0]);
    }

    /**
     * Times {@code decisions list} as the CLI runs it ({@link DecisionQuery#list}, the default
     * limit of 50, newest first) in one warm process: the busiest user and project, and 200 users
     * and 200 projects drawn as requests draw them, each query once.
     */
    private static void search(StoreConfig config) throws Exception {
        try (Database database = Database.open(config, "scale-search")) {
            DecisionQuery query = new DecisionQuery(database.dataSource());
            SplittableRandom random = new SplittableRandom(SEED + 1);
            int limit = 50;
            // Warm up: the classes, the connection pool, the statement paths.
            for (int i = 0; i < 20; i++) {
                query.list(byUser(user(random.nextInt(USERS)), limit));
                query.list(byProject(project(random.nextInt(PROJECTS)), limit));
            }
            report(
                    "busiest user",
                    List.of(user(0)),
                    u -> query.list(byUser(u, limit)).size());
            report(
                    "busiest project",
                    List.of(project(0)),
                    p -> query.list(byProject(p, limit)).size());
            List<String> users = new ArrayList<>();
            List<Long> projects = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                users.add(user(skewed(random, USERS)));
                projects.add(project(skewed(random, PROJECTS)));
            }
            report("200 users", users, u -> query.list(byUser(u, limit)).size());
            report(
                    "200 projects",
                    projects,
                    p -> query.list(byProject(p, limit)).size());
            List<String> quiet = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                quiet.add(user(USERS - 1 - random.nextInt(USERS / 10)));
            }
            report(
                    "200 of the least active users",
                    quiet,
                    u -> query.list(byUser(u, limit)).size());
        }
    }

    @FunctionalInterface
    interface Search<T> {
        int run(T key) throws Exception;
    }

    private static <T> void report(String what, List<T> keys, Search<T> search) throws Exception {
        double[] ms = new double[keys.size()];
        long rows = 0;
        for (int i = 0; i < keys.size(); i++) {
            long t0 = System.nanoTime();
            rows += search.run(keys.get(i));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(
                Locale.ROOT,
                "search %s: median %.1f ms, p90 %.1f ms, max %.1f ms (%,d records listed)%n",
                what,
                ms[ms.length / 2],
                ms[(int) (ms.length * 0.9)],
                ms[ms.length - 1],
                rows);
    }

    private static DecisionFilter byUser(String user, int limit) {
        return new DecisionFilter(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(user),
                Optional.empty(),
                Optional.of(limit));
    }

    private static DecisionFilter byProject(long project, int limit) {
        return new DecisionFilter(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(limit),
                Optional.of(Long.toString(project)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * An embedded PostgreSQL (zonky's binaries, the tests' server) with its data in {@code dir},
     * on a free loopback port, with a database {@code scale} owned by a login role of that name:
     * prints its JDBC URL, user and password on one line, then serves until the process is
     * stopped, when it shuts the server down.
     */
    private static void postgres(Path dir) throws Exception {
        Files.createDirectories(dir);
        Redirect log = Redirect.appendTo(dir.resolve("postgresql.log").toFile());
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_wal_size", "4GB")
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setOutputRedirector(log)
                .setErrorRedirector(log)
                .start();
        String password = "scale-" + Long.toHexString(new SplittableRandom().nextLong());
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE scale LOGIN PASSWORD '" + password + "'");
            s.execute("CREATE DATABASE scale OWNER scale TEMPLATE template0 ENCODING 'UTF8'");
        }
        System.out.println("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/scale scale " + password);
        System.out.flush();
        Thread.currentThread().join(); // until stopped: zonky's shutdown hook stops the server
    }
}
