package io.cdpaccess.source.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.TestClock;
import io.cdpaccess.testing.TestDirectory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report access-review} asks the directory, as {@code check} does: a user whose grant still
 * stands but who left the EHR group is flagged as the policy would deny her now, and while the
 * directory is down no user looks fine.
 */
class AccessReviewLdapTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-12-01T15:00:00Z"));
    final Cli cli = new Cli(clock, LdapSourceEndToEndTest.env());

    @Test
    void aUserNoLongerInTheEhrGroupWouldBeDeniedAndADirectoryDownIsNeverFine() throws Exception {
        try (TestDirectory directory = TestDirectory.start(DirectoryTrees.OPENLDAP, DirectoryTrees.OL_BASE)) {
            Path config = PrivateFiles.write(
                    dir.resolve("c.yaml"),
                    LdapSourceEndToEndTest.config(directory.url(), "10m", "ehr-users")
                            // Room for a loaded build host: the directory is up and fast, the host may not be.
                            .replace("timeout: 500ms", "timeout: 5s")
                            .replace("deadline: 2s", "deadline: 10s"));
            for (String user : List.of("olivia", "mallory")) {
                ok(config, "grant", "add", "--user", user, "--project-id", "42", "--reason", "IRB-7", "--by", "admin");
            }

            Map<String, Map<String, String>> before = review(config);
            assertThat(before.get("olivia")).containsEntry("would_deny", "no").containsEntry("evaluation", "allowed");
            assertThat(before.get("mallory"))
                    .as("in a group of the same name elsewhere, not in the EHR group")
                    .containsEntry("would_deny", "yes")
                    .containsEntry("deny_reasons", "not-an-ehr-user")
                    .containsEntry("evaluation", "would deny: not-an-ehr-user");

            // Olivia leaves the EHR group; her grant in the store is untouched.
            directory
                    .server()
                    .modify(
                            "cn=ehr-users,ou=groups,dc=example,dc=org",
                            new Modification(
                                    ModificationType.DELETE, "member", "uid=olivia,ou=people,dc=example,dc=org"));
            directory
                    .server()
                    .modify(
                            "uid=olivia,ou=people,dc=example,dc=org",
                            new Modification(ModificationType.DELETE, "memberOf"));
            Map<String, Map<String, String>> left = review(config);
            assertThat(left.get("olivia"))
                    .containsEntry("would_deny", "yes")
                    .containsEntry("deny_reasons", "not-an-ehr-user")
                    .containsEntry("blocked", "no");
            assertThat(left.get("olivia").get("snapshot_id"))
                    .as("same store, same policy, other facts from the directory")
                    .isNotEqualTo(before.get("olivia").get("snapshot_id"));

            directory.stop();
            Map<String, Map<String, String>> down = review(config);
            assertThat(down.values())
                    .hasSize(2)
                    .allSatisfy(r -> assertThat(r)
                            .containsEntry("would_deny", "unknown")
                            .containsEntry("deny_reasons", "")
                            .hasEntrySatisfying(
                                    "evaluation",
                                    e -> assertThat(e).startsWith("could not evaluate: ldap unavailable (")));
        }
    }

    private Map<String, Map<String, String>> review(Path config) {
        Cli.Result r = ok(config, "report", "access-review", "--format", "csv");
        List<String> lines = r.out().lines().toList();
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        Map<String, Map<String, String>> byUser = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = cells(line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            byUser.put(row.get("user"), row);
        }
        return byUser;
    }

    /** RFC 4180 cells of one line. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    private Cli.Result ok(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        Cli.Result r = cli.run(all.toArray(new String[0]));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
