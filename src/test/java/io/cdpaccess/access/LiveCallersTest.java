package io.cdpaccess.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload replaces the callers but does not hand a guesser a fresh allowance of failures. */
class LiveCallersTest {

    @TempDir
    Path dir;

    ServiceConfig config(String more) {
        return ServiceUnderTest.load(dir, ServiceUnderTest.prodConfig(more), Map.of());
    }

    @Test
    void aReloadWithTheSameLimitKeepsEveryCallersCountOfFailures() throws Exception {
        LiveCallers callers = new LiveCallers(config("auth_failures: {limit: 2, window: 1h}\n"), Clock.systemUTC());
        InetAddress guesser = InetAddress.getByName("10.9.9.9");
        CallerGuard before = callers.get().guard();
        before.check(guesser, List.of("wrong-1"), List.of());
        before.check(guesser, List.of("wrong-2"), List.of());

        callers.apply(config("auth_failures: {limit: 2, window: 1h}\ntrusted_proxies: [10.0.0.1/32]\n"));

        assertThat(callers.get().guard()).isNotSameAs(before);
        assertThat(callers.get()
                        .guard()
                        .check(guesser, List.of("wrong-3"), List.of())
                        .reason()
                        .code())
                .isEqualTo("rate-limited");
    }

    @Test
    void aChangedLimitStartsAnewButTheTotalsSinceStartCarryOn() throws Exception {
        LiveCallers callers = new LiveCallers(config("auth_failures: {limit: 1, window: 1h}\n"), Clock.systemUTC());
        AuthFailureLimiter first = callers.get().limiter();
        InetAddress guesser = InetAddress.getByName("10.9.9.9");
        callers.get().guard().check(guesser, List.of("wrong-1"), List.of());

        callers.apply(config("auth_failures: {limit: 5, window: 1h}\n"));

        assertThat(callers.get().limiter()).isNotSameAs(first);
        assertThat(callers.get()
                        .guard()
                        .check(guesser, List.of("wrong-2"), List.of())
                        .reason()
                        .code())
                .isEqualTo("unauthenticated");
        assertThat(first.failures()).isEqualTo(2); // what the meters read
    }
}
