package io.cdpaccess.bench;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.FactField.Type;
import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.source.roster.RosterClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How long a roster of {@code ROWS} rows takes to load and how much heap it keeps: writes a CSV
 * (username and four typed columns: a bool, a department out of 40, an expiry date out of about
 * 1,100, a unique employee number) to {@code DIR}, loads it as the service does, and prints the
 * load time, the heap retained by one roster and by two (the peak while a reload builds the new
 * one beside the old), and the lookup time. Run with {@code bench/roster.sh}; not a test.
 *
 * <pre>
 * RosterLoad ROWS DIR
 * </pre>
 */
public final class RosterLoad {

    private RosterLoad() {}

    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]).resolve("roster.csv");
        long t0 = System.nanoTime();
        write(file, rows);
        System.out.printf(
                Locale.ROOT,
                "wrote %,d rows, %,d bytes, in %d ms%n",
                rows,
                Files.size(file),
                (System.nanoTime() - t0) / 1_000_000);
        RosterSettings settings = new RosterSettings(
                file,
                "username",
                List.of(
                        new FactField("active", "active", Type.BOOL),
                        new FactField("department", "department", Type.STRING),
                        new FactField("expires_on", "expires_on", Type.DATE),
                        new FactField("employee_id", "employee_id", Type.INT)),
                ',',
                StandardCharsets.UTF_8,
                ";",
                ZoneId.of("America/Chicago"),
                rows,
                Duration.ofHours(24));
        long base = heapAfterGc();
        // The first load includes class loading and JIT warm-up; the next ones are what a reload costs.
        for (int i = 1; i <= 3; i++) {
            long start = System.nanoTime();
            RosterClient warm = RosterClient.open("bench", settings, Clock.systemUTC());
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (warm.health().stale()) {
                throw new IllegalStateException(warm.health().reason().orElse("not loaded"));
            }
            System.out.printf(Locale.ROOT, "load %d: %,d ms%n", i, ms);
            warm.close();
        }
        RosterClient one = RosterClient.open("bench", settings, Clock.systemUTC());
        long withOne = heapAfterGc();
        RosterClient two = RosterClient.open("bench", settings, Clock.systemUTC());
        long withTwo = heapAfterGc();
        System.out.printf(
                Locale.ROOT,
                "heap retained: one roster %.1f MB (%d bytes per row), two (while a reload swaps) %.1f MB%n",
                (withOne - base) / 1e6,
                (withOne - base) / rows,
                (withTwo - base) / 1e6);
        two.close();
        lookups(one, rows);
        one.close();
        System.out.printf(
                Locale.ROOT, "max heap %.0f MB%n", Runtime.getRuntime().maxMemory() / 1e6);
    }

    private static void lookups(RosterClient client, int rows) throws Exception {
        java.time.Instant now = java.time.Instant.now();
        long found = 0;
        int n = 2_000_000;
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int u = (int) ((i * 2_654_435_761L) % (rows * 2L)); // half of them not found
                found += client.lookup(new SourceKey("user" + u, "user" + u, 1, "prod", Optional.empty(), now))
                                .found()
                        ? 1
                        : 0;
            }
            if (round == 1) {
                System.out.printf(
                        Locale.ROOT,
                        "lookup: %.0f ns each (%,d lookups, %,d found; includes building the key text)%n",
                        (System.nanoTime() - start) / (double) n,
                        n,
                        found / 2);
            }
        }
    }

    private static void write(Path file, int rows) throws IOException {
        LocalDate first = LocalDate.of(2026, 1, 1);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("username,name,active,department,expires_on,employee_id\n");
            for (int i = 0; i < rows; i++) {
                w.write("user" + i + ",\"Name " + i + ", Jr\"," + (i % 10 == 0 ? "N" : "Y") + ",Department " + (i % 40)
                        + "," + first.plusDays(i % 1_100) + "," + (100_000 + i) + "\n");
            }
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
