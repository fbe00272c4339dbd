package io.cdpaccess.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.testing.Cli;
import io.cdpaccess.testing.PrivateFiles;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import io.cdpaccess.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Writing a policy, testing it, asking "what if", and refusing a broken one — through the CLI. */
class PolicyCliTest {

    static final String PROD_URL = "https://redcap.example.edu/";
    static final String BASE = ServiceUnderTest.prodConfig("zone: America/Chicago\n");

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-11-28T12:00:00Z"));
    final Cli cli = new Cli(clock);

    Path write(String name, String text) throws Exception {
        return PrivateFiles.write(dir.resolve(name), text);
    }

    @Test
    void theShippedCasesPassAgainstTheShippedDefaultPolicy() throws Exception {
        Path config = write("c.yaml", BASE);
        Path junit = dir.resolve("junit.xml");

        Cli.Result r = cli.run(
                "policy",
                "test",
                "--config",
                config.toString(),
                "config/default-policy.cases.yaml",
                "--junit",
                junit.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("PASS an active grant allows (allow by grant)")
                .contains("9 passed, 0 failed");
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
        assertThat(xml.getElementsByTagName("testcase").getLength()).isEqualTo(9);
        assertThat(xml.getElementsByTagName("failure").getLength()).isZero();
    }

    @Test
    void policyShowPrintsARulesTextWithCharactersUnsafeToShowEscaped() throws Exception {
        // YAML's escapes put a right-to-left override and a zero-width space into the rule's text:
        // a terminal would show the first as "admin" read backwards and the second not at all.
        Path config = write("c.yaml", BASE + """
                policy:
                  rules:
                    - name: grant
                      effect: allow
                      when: store.grant.active
                    - name: spoofed
                      effect: deny
                      when: "request.user == '\\u202enimda' || request.user == 'bo\\u200bb'"
                """);

        Cli.Result r = cli.run("policy", "show", "--config", config.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .doesNotContain("\u202e")
                .doesNotContain("\u200b")
                .contains("\"request.user == '\\u202enimda' || request.user == 'bo\\u200bb'\"")
                // what holds nothing unsafe is shown as written
                .contains("allow grant                    store.grant.active");
    }

    @Test
    void aCaseNameWithABidiOverrideOrALineBreakIsPrintedEscaped() throws Exception {
        Path config = write("c.yaml", BASE);
        // U+202E would show "PASS nimda" as "PASS admin"; a line break would forge a line of its own.
        Path cases = write("cases.yaml", """
                now: 2026-12-01T12:00:00Z
                cases:
                  - name: "\u202enimda"
                    request: {user: alice, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                  - name: "two\\nPASS forged"
                    request: {user: alice, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                """);

        Cli.Result r = cli.run("policy", "test", "--config", config.toString(), cases.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("PASS \\u202enimda (allow by grant)")
                .contains("PASS two\\nPASS forged (allow by grant)")
                .doesNotContain("\u202e")
                .doesNotContainPattern("(?m)^PASS forged");
    }

    @Test
    void aFailingCaseIsReportedWithTheRulesAndFailsTheRunAndTheJunitFile() throws Exception {
        Path config = write("c.yaml", BASE + """
                policy:
                  rules:
                    - name: grant
                      effect: allow
                      when: store.grant.active
                    - name: epic-only
                      effect: deny
                      when: '!request.normalized_user.startsWith("epic_")'
                """);
        Path cases = write("cases.yaml", """
                now: 2026-12-01T12:00:00Z
                cases:
                  - name: an epic user with a grant
                    request: {user: EPIC_alice, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                    rule: grant
                  - name: expecting the wrong thing <on purpose>
                    request: {user: bob, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                """);
        Path junit = dir.resolve("junit.xml");

        Cli.Result r =
                cli.run("policy", "test", "--config", config.toString(), cases.toString(), "--junit", junit.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out())
                .contains("PASS an epic user with a grant")
                .contains("FAIL expecting the wrong thing <on purpose>: expected allow, got deny by epic-only")
                .contains("matched")
                .contains("request.normalized_user")
                .contains("1 passed, 1 failed");
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
        assertThat(xml.getElementsByTagName("failure").getLength()).isEqualTo(1);
        assertThat(xml.getElementsByTagName("testcase")
                        .item(1)
                        .getAttributes()
                        .getNamedItem("name")
                        .getNodeValue())
                .isEqualTo("expecting the wrong thing <on purpose>");
    }

    @Test
    void aCasesUserIsTheNameAsSentAndRulesSeeItNormalizedAsTheEndpointBuildsIt() throws Exception {
        Path config = write("c.yaml", BASE + """
                policy:
                  rules:
                    - name: mallory-is-out
                      effect: deny
                      when: request.user == 'mallory'
                    - name: shouting
                      effect: deny
                      when: request.user_as_sent == 'ALICE'
                    - name: from-loopback
                      effect: deny
                      when: has(request.caller_ip) && request.caller_ip == '::1'
                    - name: grant
                      effect: allow
                      when: store.grant.active
                """);
        Path cases = write("cases.yaml", """
                now: 2026-12-01T12:00:00Z
                cases:
                  - name: capitals
                    request: {user: MALLORY, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: deny
                    rule: mallory-is-out
                  - name: a leading space
                    request: {user: " Mallory", project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: deny
                    rule: mallory-is-out
                  - name: as sent
                    request: {user: ALICE, project_id: 1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: deny
                    rule: shouting
                  - name: an address in the long form
                    request: {user: alice, project_id: 1, caller_ip: "0:0:0:0:0:0:0:1"}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: deny
                    rule: from-loopback
                  - name: anyone else
                    request: {user: alice, project_id: 1, caller_ip: 10.0.0.1}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                    rule: grant
                """);

        Cli.Result r = cli.run("policy", "test", "--config", config.toString(), cases.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("5 passed, 0 failed");
    }

    @Test
    void caseFilesMayUseAnchorsMergeKeysAndExplicitNullsAsYamlAllows() throws Exception {
        Path config = write("c.yaml", BASE);
        Path cases = write("cases.yaml", """
                now: 2026-12-01T12:00:00Z
                cases:
                  - &granted
                    name: granted
                    request: &alice {user: alice, project_id: 42}
                    facts: {store: {grant: {state: active, active: true}}}
                    expect: allow
                    rule: grant
                  - <<: *granted
                    name: merged with explicit nulls
                    now: ~
                    rule: null
                  - {<<: *granted, name: "merged 0", request: *alice}
                  - {<<: *granted, name: "merged 1", request: *alice}
                  - {<<: *granted, name: "merged 2", request: *alice}
                  - {<<: *granted, name: "merged 3", request: *alice}
                  - {<<: *granted, name: "merged 4", request: *alice}
                  - {<<: *granted, name: "merged 5", request: *alice}
                  - {<<: *granted, name: "merged 6", request: *alice}
                  - {<<: *granted, name: "merged 7", request: *alice}
                  - {<<: *granted, name: "merged 8", request: *alice}
                  - {<<: *granted, name: "merged 9", request: *alice}
                  - {<<: *granted, name: "merged 10", request: *alice}
                  - {<<: *granted, name: "merged 11", request: *alice}
                  - {<<: *granted, name: "merged 12", request: *alice}
                  - {<<: *granted, name: "merged 13", request: *alice}
                  - {<<: *granted, name: "merged 14", request: *alice}
                  - {<<: *granted, name: "merged 15", request: *alice}
                  - {<<: *granted, name: "merged 16", request: *alice}
                  - {<<: *granted, name: "merged 17", request: *alice}
                  - {<<: *granted, name: "merged 18", request: *alice}
                  - {<<: *granted, name: "merged 19", request: *alice}
                  - {<<: *granted, name: "merged 20", request: *alice}
                  - {<<: *granted, name: "merged 21", request: *alice}
                  - {<<: *granted, name: "merged 22", request: *alice}
                  - {<<: *granted, name: "merged 23", request: *alice}
                """);

        Cli.Result r = cli.run("policy", "test", "--config", config.toString(), cases.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("PASS merged with explicit nulls (allow by grant)")
                .contains("PASS merged 23 (allow by grant)")
                .contains("26 passed, 0 failed");
    }

    @Test
    void everyProblemOfACaseFileIsReportedAtOnceWithItsLine() throws Exception {
        Path config = write("c.yaml", BASE);
        Path cases = write("cases.yaml", """
                now: 2026-12-01T12:00:00Z
                cases:
                  - name: fine
                    request: {user: alice, project_id: 1}
                    expect: allow
                  - name: no project
                    request: {user: bob}
                    expect: deny
                  - name: misspelt
                    request: {user: carol, project_id: 1}
                    expct: deny
                  - name: bad store fact
                    request: {user: dave, project_id: 1}
                    facts: {store: {grants: {active: true}}}
                    expect: maybe
                """);

        Cli.Result r = cli.run("policy", "test", "--config", config.toString(), cases.toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err())
                .contains("cases.yaml:7: cases[1].request: needs user (text) and project_id (a number)")
                .contains("cases.yaml:11: cases[2].expct: unknown key")
                .contains("cases.yaml:9: cases[2].expect: is required")
                .contains("cases.yaml:14: cases[3].facts.store.grants: expected one of grant, project, block")
                .contains("cases.yaml:15: cases[3].expect: must be allow or deny")
                .doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("PASS"); // nothing runs from a file that does not read
    }

    @Test
    void aBrokenPolicyIsRefusedByValidateTestAndServeWithFileLineRuleAndPosition() throws Exception {
        Path config = write("bad.yaml", BASE + """
                policy:
                  rules:
                    - name: grant
                      effect: allow
                      when: store.grant.activ
                    - name: typo
                      effect: deny
                      when: request.usr == "x"
                """);

        Cli.Result validate = cli.run("config", "validate", "--config", config.toString());
        Cli.Result test = cli.run("policy", "test", "--config", config.toString(), "config/default-policy.cases.yaml");
        Cli.Result serve = cli.run("serve", "--config", config.toString());

        for (Cli.Result r : new Cli.Result[] {validate, test, serve}) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err())
                    .contains("bad.yaml:12: rule 'grant': 1:12: undefined field 'activ'")
                    .contains("bad.yaml:15: rule 'typo': 1:8: undefined field 'usr'")
                    .doesNotContain("Exception");
        }
        assertThat(dir.resolve("data")).doesNotExist(); // serve refused before opening anything
    }

    @Test
    void aRuleMayNotTakeTheNameOfAReasonGivenOutsideThePolicy() throws Exception {
        Path config = write("c.yaml", BASE + """
                policy:
                  rules:
                    - name: bad-request
                      effect: deny
                      when: "false"
                """);

        Cli.Result r = cli.run("config", "validate", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("rule 'bad-request'").contains("reason code");
    }

    @Test
    void checkExplainShowsEveryRuleAndTheFactsItRead() throws Exception {
        Path config = write("c.yaml", BASE);
        cli.run(
                "grant",
                "add",
                "--config",
                config.toString(),
                "--user",
                "alice",
                "--project-id",
                "42",
                "--reason",
                "r");

        Cli.Result r = cli.run(
                "check",
                "--config",
                config.toString(),
                "--user",
                "alice",
                "--project-id",
                "42",
                "--redcap-url",
                PROD_URL,
                "--explain");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("reason:   grant")
                .containsPattern("not-matched +deny +blocked")
                .contains("store.block.active = false")
                .containsPattern("\\bmatched +allow +grant +<- decided")
                .contains("store.grant.active = true")
                .contains("store: {latency_us=");
    }

    @Test
    void replayListsEveryDecisionThatWouldFlipWithCountsPerRule() throws Exception {
        Path config = write("c.yaml", BASE);
        cli.run("grant", "add", "--config", config.toString(), "--user", "alice", "--all-projects", "--reason", "r");
        RedcapClient redcap = new RedcapClient();
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, Files.readString(config), Map.of(), clock)) {
            String url = service.url("prod-secret-0123456789-XYZ");
            assertThat(redcap.userAccess(url, "alice", 42, PROD_URL)).isEqualTo("1");
            assertThat(redcap.userAccess(url, "alice", 43, PROD_URL)).isEqualTo("1");
            assertThat(redcap.userAccess(url, "bob", 42, PROD_URL)).isEqualTo("0");
            assertThat(redcap.userAccess(url.replace("prod-secret", "wrong"), "bob", 42, PROD_URL))
                    .isEqualTo("0");
        }
        clock.advance(Duration.ofHours(1));
        // The new policy: project 43 is closed to everyone; bob may use project 42 without a grant.
        Path next = write("next.yaml", BASE + """
                policy:
                  rules:
                    - name: closed-project
                      effect: deny
                      when: request.project_id == 43
                    - name: grant
                      effect: allow
                      when: store.grant.active
                    - name: bob-on-42
                      effect: allow
                      when: request.normalized_user == "bob" && request.project_id == 42
                """);

        Cli.Result r = cli.run("policy", "replay", "--config", next.toString(), "--since", "2h");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("replayed 3 decisions")
                .contains("1 skipped")
                .contains("2 would flip: 1 allow -> deny, 1 deny -> allow")
                .contains("closed-project: 1")
                .contains("bob-on-42: 1")
                .contains("no-grant: 1");

        Cli.Result negative = cli.run("policy", "replay", "--config", next.toString(), "--limit", "-1");
        assertThat(negative.exitCode()).as(negative.toString()).isEqualTo(2);
        assertThat(negative.err()).contains("--limit must be 0 or more");
    }
}
