package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code changes list|export}: the administrative trail, searched and exported. */
class ChangesCliTest {

    @TempDir
    Path dir;

    private Path config;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final Cli cli = new Cli(clock);

    @BeforeEach
    void someChanges() throws Exception {
        config = dir.resolve("cdp-access.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                data_dir: ./data
                zone: America/Chicago
                instances:
                  - name: prod
                    redcap_url: https://redcap.example.edu/
                    secret: prod-secret-0123456789-XYZ
                """);
        ok("grant", "add", "--user", "alice_1", "--project-id", "42", "--reason", "IRB-1", "--by", "=HYPERLINK(1)");
        clock.advance(Duration.ofMinutes(1));
        ok("grant", "add", "--user", "alicex1", "--project-id", "43", "--reason", "IRB-2", "--by", "admin");
        clock.advance(Duration.ofMinutes(1));
        ok("grant", "revoke", "--user", "alice_1", "--project-id", "42", "--reason", "left", "--by", "admin");
        clock.advance(Duration.ofMinutes(1));
        ok("block", "add", "--user", "mallory", "--reason", "leaver", "--by", "security");
    }

    @Test
    void listShowsTheTrailAndWhoRanEachCommandAsTheSystemKnowsThem() {
        Cli.Result all = ok("changes", "list");
        assertThat(all.out().lines().skip(1).toList())
                .hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("cli pid "));
        assertThat(all.out()).contains("grant.add").contains("grant.revoke").contains("block.add");

        Cli.Result grants = ok("changes", "list", "--action", "grant.");
        assertThat(grants.out().lines().skip(1).toList()).hasSize(3);
        Cli.Result revokes = ok("changes", "list", "--action", "grant.revoke", "--by", "admin");
        assertThat(revokes.out().lines().skip(1).toList())
                .singleElement()
                .asString()
                .contains("alice_1");
        Cli.Result literal = ok("changes", "list", "--subject", "alice_1");
        assertThat(literal.out().lines().skip(1).toList())
                .as("_ is a character, not a wildcard: alicex1 is not alice_1")
                .hasSize(2)
                .noneSatisfy(l -> assertThat(l).contains("alicex1"));
        Cli.Result recent = ok("changes", "list", "--since", "90s");
        assertThat(recent.out().lines().skip(1).toList()).hasSize(2);
    }

    @Test
    void exportsKeepWhatEachChangedAndCsvIsSafeForSpreadsheets() throws Exception {
        Cli.Result jsonl = ok("changes", "export", "--format", "jsonl", "--action", "grant.revoke");
        JsonNode revoke =
                new ObjectMapper().readTree(jsonl.out().lines().findFirst().orElseThrow());
        assertThat(revoke.get("before").get(0).get("revoked_at").isNull()).isTrue();
        assertThat(revoke.get("after").get(0).get("revoke_reason").asText()).isEqualTo("left");
        assertThat(revoke.get("writer").asText()).startsWith("cli pid ");

        Path csv = dir.resolve("changes.csv");
        Cli.Result written = ok("changes", "export", "--format", "csv", "--output", csv.toString());
        assertThat(written.err()).contains("wrote 4 changes");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("change_id,changed_at,actor,action,subject,before,after,writer");
        assertThat(lines.get(1)).contains(",'=HYPERLINK(1),grant.add,");
    }

    private Cli.Result ok(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        Cli.Result r = cli.run(withConfig);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
