package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.ChildCommand;
import io.cdpaccess.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --stop-when-ready}, the smoke test of a configuration and the build's training run
 * of the class-data archive: in a process of its own it starts, warms up, says so, and stops with
 * exit 0, leaving no decision on the record.
 */
class StopWhenReadyTest {

    @TempDir
    Path dir;

    @Test
    void aFirstRunStartsWarmsUpSaysItWasReadyAndStops() throws Exception {
        Cli.Result served = ChildCommand.run(dir, Map.of(), "serve", "--listen", "127.0.0.1:0", "--stop-when-ready");

        assertThat(served.exitCode()).as(served.err()).isZero();
        assertThat(served.out())
                .matches(
                        "(?s)ready on port \\d+; warmed up in \\d+ ms \\([1-9]\\d* rehearsals of REDCap's call\\); stopped\\R");
        assertThat(served.err()).contains("none recorded").doesNotContain("WARN", "ERROR");
        Path store = dir.resolve("cdp-access-data/store.db");
        assertThat(store).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM decisions")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        assertThat(Files.exists(dir.resolve("cdp-access-data/cdp-access.yaml"))).isTrue();
    }
}
