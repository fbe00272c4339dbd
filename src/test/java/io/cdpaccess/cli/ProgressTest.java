package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.TestClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final StringWriter err = new StringWriter();

    @Test
    void atATerminalItShowsRecordsRateAndTimeLeftInPlaceAndClearsTheLineAtTheEnd() {
        try (Progress progress =
                new Progress(new PrintWriter(err, true), true, "export", OptionalLong.of(1_000_000), clock)) {
            clock.advance(Duration.ofSeconds(2));
            progress.accept(250_000);
            assertThat(err.toString()).isEqualTo("\rexport: 250,000 of 1,000,000 records, 125,000/s, 6 s left   ");
            clock.advance(Duration.ofMillis(100));
            progress.accept(260_000);
            assertThat(err.toString()).as("redrawn at most twice a second").doesNotContain("260,000");
        }
        assertThat(err.toString()).endsWith("\r");
    }

    @Test
    void withoutATotalThereIsNoTimeLeftAndLongWaitsReadInMinutes() {
        Progress unknown = new Progress(new PrintWriter(err, true), true, "verify", OptionalLong.empty(), clock);
        clock.advance(Duration.ofSeconds(1));
        unknown.accept(5_000);
        assertThat(unknown.line(clock.millis())).isEqualTo("verify: 5,000 records, 5,000/s");

        Progress slow = new Progress(new PrintWriter(err, true), true, "purge", OptionalLong.of(1_000_000), clock);
        clock.advance(Duration.ofSeconds(10));
        slow.accept(10_000);
        assertThat(slow.line(clock.millis())).endsWith("1,000/s, 16 min 30 s left");
    }

    @Test
    void forAScriptOrAPipeItPrintsNothing() {
        try (Progress progress =
                new Progress(new PrintWriter(err, true), false, "verify", OptionalLong.empty(), clock)) {
            clock.advance(Duration.ofSeconds(5));
            progress.accept(1_000_000);
        }
        assertThat(err.toString()).isEmpty();
    }
}
