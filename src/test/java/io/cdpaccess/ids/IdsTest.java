package io.cdpaccess.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    private static final String CROCKFORD = "[0-9A-HJKMNP-TV-Z]{26}";

    private static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void twentySixCrockfordBase32Characters() {
        for (int i = 0; i < 1000; i++) {
            assertThat(Ids.next(Clock.systemUTC())).matches(CROCKFORD);
        }
    }

    @Test
    void timestampPartFollowsTheUlidLayout() {
        // The ULID specification's example: 1469918176385 ms is 01ARYZ6S41.
        assertThat(Ids.next(at(1_469_918_176_385L))).startsWith("01ARYZ6S41");
        assertThat(Ids.next(at(0))).startsWith("0000000000");
    }

    @Test
    void sortByCreationTime() {
        List<String> ids = new ArrayList<>();
        long[] times = {0, 1, 31, 32, 1_000, 1_700_000_000_000L, 1_700_000_000_001L, 4_102_444_800_000L};
        for (long t : times) {
            ids.add(Ids.next(at(t)));
        }
        assertThat(ids).isSorted();
    }

    @Test
    void uniqueAcrossAHundredThousandInTheSameMillisecond() {
        Clock clock = at(1_700_000_000_000L);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(Ids.next(clock));
        }
        assertThat(seen).hasSize(100_000);
    }
}
