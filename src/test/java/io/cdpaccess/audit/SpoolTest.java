package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.outcome.Effect;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool that keeps answers the store could not take: what is added survives the process,
 * comes back in order, is removed only up to where it was written to the store, and a crash
 * mid-write costs only the record being written.
 */
class SpoolTest {

    @TempDir
    Path dir;

    @Test
    void isCreatedOwnerOnlyAndPreallocatedInADataDirectoryItCreates() throws Exception {
        Path dataDir = dir.resolve("data");
        try (Spool spool = Spool.open(dataDir)) {
            assertThat(spool.isEmpty()).isTrue();
        }
        Path file = dataDir.resolve(Spool.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.size(file)).isEqualTo(Spool.CAPACITY);
    }

    @Test
    void recordsSurviveReopeningInOrderAndEveryFieldIntact() {
        List<DecisionRecord> added = List.of(record(1, Optional.of("{\"format\":1}")), record(2, Optional.empty()));
        try (Spool spool = Spool.open(dir)) {
            added.forEach(r -> assertThat(spool.add(r)).isTrue());
        }
        try (Spool reopened = Spool.open(dir)) {
            assertThat(reopened.pending().records()).containsExactlyElementsOf(added);
        }
    }

    @Test
    void removingWhatWasWrittenKeepsWhatWasSpooledMeanwhile() {
        try (Spool spool = Spool.open(dir)) {
            spool.add(record(1, Optional.empty()));
            spool.add(record(2, Optional.empty()));
            Spool.Pending pending = spool.pending();
            DecisionRecord meanwhile = record(3, Optional.empty());
            spool.add(meanwhile);

            spool.removeThrough(pending.end());

            assertThat(spool.pending().records()).containsExactly(meanwhile);
            spool.removeThrough(spool.pending().end());
            assertThat(spool.isEmpty()).isTrue();
        }
        try (Spool reopened = Spool.open(dir)) {
            assertThat(reopened.isEmpty()).isTrue();
        }
    }

    @Test
    void aRecordTornByACrashIsDroppedAndThoseBeforeItKept() throws Exception {
        DecisionRecord whole = record(1, Optional.empty());
        try (Spool spool = Spool.open(dir)) {
            spool.add(whole);
            spool.add(record(2, Optional.of("x".repeat(500))));
        }
        // A power cut in the middle of the second record's bytes.
        try (RandomAccessFile f =
                new RandomAccessFile(dir.resolve(Spool.FILE_NAME).toFile(), "rw")) {
            long second = 8 + f.readInt();
            f.seek(second + 8 + 100);
            f.write(new byte[50]);
        }
        try (Spool reopened = Spool.open(dir)) {
            assertThat(reopened.pending().records()).containsExactly(whole);
            DecisionRecord next = record(3, Optional.empty());
            assertThat(reopened.add(next)).isTrue();
            assertThat(reopened.pending().records()).containsExactly(whole, next);
        }
    }

    @Test
    void aFullSpoolRefusesMoreRatherThanGrowing() throws Exception {
        try (Spool spool = Spool.open(dir)) {
            DecisionRecord big = record(1, Optional.of("y".repeat(64 * 1024)));
            List<Boolean> accepted = new ArrayList<>();
            for (int i = 0; i < Spool.CAPACITY / (64 * 1024) + 2; i++) {
                accepted.add(spool.add(big));
            }
            assertThat(accepted).contains(true).endsWith(false);
            assertThat(Files.size(dir.resolve(Spool.FILE_NAME))).isEqualTo(Spool.CAPACITY);
        }
    }

    @Test
    @SuppressWarnings("try") // the first open only has to be held, not used
    void aSecondOpenOfTheSameSpoolIsRefused() {
        try (Spool first = Spool.open(dir)) {
            assertThatThrownBy(() -> Spool.open(dir))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("another cdp-access process is using it");
        }
    }

    private static DecisionRecord record(int n, Optional<String> explanation) {
        return new DecisionRecord(
                "01SPOOL" + n,
                Instant.parse("2026-12-01T00:00:00Z").plusSeconds(n),
                Optional.of("prod"),
                Optional.of("Müller 😀 " + n),
                Optional.of("müller 😀 " + n),
                Optional.of("42"),
                Optional.of("https://redcap.example.edu/"),
                "192.0.2.1",
                "192.0.2.2",
                Effect.ERROR,
                "log-unavailable",
                Optional.of("the store could not take it; \"quoted\"\nline"),
                503,
                n,
                Optional.empty(),
                explanation.map(e -> "3f2a9c81d0e4"),
                explanation);
    }
}
