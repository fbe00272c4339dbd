package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.Application;
import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.EmbeddedDefaults;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.testing.TestClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code serve} prints about the secret: in full on the first run and on a terminal, never
 * into a redirected output (a service manager's log) on later runs.
 */
class ServeBannerTest {

    @TempDir
    static Path dir;

    static Application app;
    static EmbeddedDefaults.Setup firstRun;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-12-01T12:00:00Z"));
        firstRun = EmbeddedDefaults.ensure(dir.resolve("cdp-access-data"), clock);
        ServiceConfig config =
                ServeCommand.withListen(new ConfigLoader(Map.of()).load(firstRun.configFile()), "127.0.0.1:0");
        secret = config.instances().get(0).secret().plainText().orElseThrow();
        app = Application.start(config, new ConfigLoader(Map.of()), clock);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theFirstRunPrintsTheSecretWhereverTheOutputGoes() {
        assertThat(banner(firstRun, false)).contains("?secret=" + secret).contains("generated now");
    }

    @Test
    void aLaterRunPrintsTheSecretOnATerminal() {
        assertThat(banner(laterRun(), true)).contains("?secret=" + secret).doesNotContain("generated now");
    }

    @Test
    void aLaterRunIntoAFileOrALogPrintsAPlaceholderInstead() {
        String banner = banner(laterRun(), false);

        assertThat(banner).doesNotContain(secret).contains("?secret=<secret of instance default, see cdp-access.yaml>");
    }

    @Test
    void outputRedirectedAsUnderTheTestRunnerIsNotATerminalOnAnyJava() {
        // Newer JDKs give System.console() even when output is redirected; only isTerminal() tells.
        assertThat(CliContext.interactiveTerminal()).isFalse();
    }

    private static EmbeddedDefaults.Setup laterRun() {
        return new EmbeddedDefaults.Setup(firstRun.configFile(), false);
    }

    private static String banner(EmbeddedDefaults.Setup setup, boolean terminal) {
        StringWriter out = new StringWriter();
        ServeCommand.banner(
                new PrintWriter(out), app, new ConfigOptions.Loaded(app.config(), Optional.of(setup)), terminal);
        return out.toString();
    }
}
