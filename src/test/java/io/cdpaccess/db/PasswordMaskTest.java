package io.cdpaccess.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.StoreConfig;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that cannot be opened says so without its password, however the password was given:
 * in the JDBC URL's {@code password=}, as {@code user:password@} before the host (pgjdbc quotes
 * it as an unknown host, MariaDB as a bad port), or in {@code store.password}; neither in the
 * message a person reads, nor in the causes kept with it, nor in any library's log line.
 */
class PasswordMaskTest {

    @TempDir
    Path dir;

    record Case(String password, StoreConfig config) {}

    @Test
    void noPasswordAppearsInTheFailureOrItsCausesOrTheLog() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once this is closed
        }
        String at = "127.0.0.1:" + closed + "/cdp";
        List<Case> cases = List.of(
                store("pw-pg-params-7Kq2", "jdbc:postgresql://" + at + "?user=cdp&password=pw-pg-params-7Kq2", ""),
                store("pw-pg-userinfo-3Xw9", "jdbc:postgresql://cdp:pw-pg-userinfo-3Xw9@" + at, ""),
                store("pw%2Fpg-encoded-4Hd8", "jdbc:postgresql://cdp:pw%2Fpg-encoded-4Hd8@" + at, ""),
                store("pw-maria-params-5Rt1", "jdbc:mariadb://" + at + "?user=cdp&password=pw-maria-params-5Rt1", ""),
                store("pw-maria-userinfo-8Lp4", "jdbc:mariadb://cdp:pw-maria-userinfo-8Lp4@" + at, ""),
                store("pw-setting-2Mn6", "jdbc:postgresql://" + at, "pw-setting-2Mn6"));
        List<Throwable> failures = new ArrayList<>();
        List<ILoggingEvent> logged;
        try (CapturedLog log = CapturedLog.named(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
            // In parallel: each waits out the pool's 10 s start-up timeout.
            List<CompletableFuture<Throwable>> opening = cases.stream()
                    .map(c -> CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                            Database.open(c.config(), "mask-" + c.password()).close())))
                    .toList();
            for (CompletableFuture<Throwable> f : opening) {
                failures.add(f.get());
            }
            logged = log.events();
        }

        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < cases.size(); i++) {
            String password = cases.get(i).password();
            Throwable failure = failures.get(i);
            softly.assertThat(failure).as(password).isInstanceOf(StoreException.class);
            softly.assertThat(failure.getMessage()).as(password).startsWith("cannot open database");
            for (Throwable t = failure; t != null; t = t.getCause()) {
                for (String secret : new java.util.LinkedHashSet<>(
                        List.of(password, java.net.URLDecoder.decode(password, "UTF-8")))) {
                    softly.assertThat(String.valueOf(t.getMessage()))
                            .as(password)
                            .doesNotContain(secret);
                }
            }
            for (ILoggingEvent event : logged) {
                softly.assertThat(event.getFormattedMessage()).as(password).doesNotContain(password);
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    softly.assertThat(String.valueOf(t.getMessage()))
                            .as(password)
                            .doesNotContain(password);
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void aStoreUrlThatIsNotJdbcIsRefusedWithoutQuotingIt() {
        String yaml = ServiceUnderTest.prodConfig("store:\n  url: postgresql://cdp:pw-not-jdbc-9Vb3@127.0.0.1/cdp\n");

        Throwable refused = catchThrowable(() -> ServiceUnderTest.load(dir, yaml, Map.of()));

        assertThat(refused).hasMessageContaining("store.url: supported databases");
        assertThat(refused.getMessage()).doesNotContain("pw-not-jdbc-9Vb3");
    }

    private static Case store(String password, String url, String setting) {
        return new Case(
                password,
                new StoreConfig(
                        url,
                        "cdp",
                        setting.isEmpty() ? Secret.none() : Secret.of(setting),
                        2,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1)));
    }
}
