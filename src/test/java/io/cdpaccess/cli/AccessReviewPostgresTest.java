package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report access-review} on PostgreSQL: last use and the policy's answer read from a server database. */
class AccessReviewPostgresTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-09-01T12:00:00Z"));
    final Cli cli = new Cli(clock);

    @Test
    void lastUseComesFromTheDecisionsOnPostgresql() throws Exception {
        TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        String yaml = ServiceUnderTest.prodConfig("""
                store:
                  url: "%s"
                  user: %s
                  password: "%s"
                """.formatted(
                pg.config().url(), pg.config().user(), pg.config().password().reveal()));
        Path config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, yaml);
        ok(config, "grant", "add", "--user", "alice", "--project-id", "42", "--reason", "IRB-9", "--by", "admin");
        ok(config, "grant", "add", "--user", "bob", "--all-projects", "--reason", "core", "--by", "admin");

        RedcapClient redcap = new RedcapClient();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, yaml, Map.of(), clock)) {
            String url = service.url(ServiceUnderTest.PROD_SECRET);
            clock.set(Instant.parse("2026-10-01T08:00:00Z"));
            assertThat(redcap.userAccess(url, "alice", 42, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            assertThat(redcap.userAccess(url, "bob", 7, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
            clock.set(Instant.parse("2026-10-02T08:00:00Z"));
            assertThat(redcap.userAccess(url, "bob", 8, ServiceUnderTest.PROD_URL))
                    .isEqualTo("1");
        }
        clock.set(Instant.parse("2026-10-03T08:00:00Z"));
        ok(config, "project", "suspend", "--project-id", "8", "--reason", "closed", "--by", "irb");

        List<Map<String, String>> rows = AccessReviewCliTest.csv(
                ok(config, "report", "access-review", "--format", "csv").out());
        assertThat(AccessReviewCliTest.byUser(rows, "alice"))
                .containsEntry("last_used", "2026-10-01T08:00:00Z")
                .containsEntry("would_deny", "no");
        assertThat(AccessReviewCliTest.byUser(rows, "bob"))
                .containsEntry("last_used", "2026-10-02T08:00:00Z")
                .containsEntry("evaluated_projects", "7 8")
                .containsEntry("would_deny", "yes")
                .containsEntry("deny_reasons", "project-suspended");
        assertThat(rows.get(0).get("granted_by_process")).startsWith("cli pid ");
    }

    private Cli.Result ok(Path config, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        Cli.Result r = cli.run(all);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
