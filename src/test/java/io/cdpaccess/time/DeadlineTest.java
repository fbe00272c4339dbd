package io.cdpaccess.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.TestTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void aDeadlineCountsDownOnItsTickerAndNeverReportsLessThanNothingLeft() {
        TestTicker ticker = new TestTicker();
        Deadline deadline = Deadline.start(ticker, Duration.ofSeconds(5));
        assertThat(deadline.remaining()).isEqualTo(Duration.ofSeconds(5));
        assertThat(deadline.passed()).isFalse();

        ticker.advance(Duration.ofMillis(4_999));
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(1));
        assertThat(deadline.elapsedNanos()).isEqualTo(Duration.ofMillis(4_999).toNanos());

        ticker.advance(Duration.ofMillis(2));
        assertThat(deadline.passed()).isTrue();
        assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
    }
}
