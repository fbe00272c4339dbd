package io.cdpaccess.time;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.cdpaccess.testing.CapturedLog;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A poller never stops silently: exceptions are survived, an error stops it visibly. */
class PollerTest {

    private CapturedLog logged;

    @BeforeEach
    void captureLog() {
        logged = CapturedLog.of(Poller.class);
    }

    @AfterEach
    void releaseLog() {
        logged.close();
    }

    @Test
    void anExceptionIsLoggedAndTheTaskRunsAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ranAfterFailing = new CountDownLatch(3);
        try (Poller poller = Poller.start("test-poller", Duration.ofMillis(10), () -> {
            ranAfterFailing.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
        })) {
            assertThat(ranAfterFailing.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(poller.running()).isTrue();
        }
        assertThat(logged.events()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("test-poller").contains("first run fails");
        });
    }

    @Test
    void anErrorStopsThePollerWhichSaysSoAndLogsAnError() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (Poller poller = Poller.start("test-poller", Duration.ofMillis(10), () -> {
            runs.incrementAndGet();
            throw new StackOverflowError("deep");
        })) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (poller.running() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(poller.running()).isFalse();
            Thread.sleep(100);
            assertThat(runs).hasValue(1);
        }
        assertThat(logged.events()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage())
                    .contains("test-poller stopped")
                    .contains("deep")
                    .contains("not-ready");
        });
    }

    @Test
    void aClosedPollerIsNotRunning() {
        Poller poller = Poller.start("test-poller", Duration.ofHours(1), () -> {});
        assertThat(poller.running()).isTrue();
        poller.close();
        assertThat(poller.running()).isFalse();
    }
}
