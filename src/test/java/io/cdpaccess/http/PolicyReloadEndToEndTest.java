package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.audit.DecisionRecord;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running service picks up an edited policy, records which policy and which facts decided each
 * answer, and keeps the last good policy (reporting it stale) when the edit is broken.
 */
class PolicyReloadEndToEndTest {

    static final String SECRET = "prod-secret-0123456789-XYZ";
    static final String URL = "https://redcap.example.edu/";
    static final String BASE = ServiceUnderTest.prodConfig("store:\n  refresh_interval: 100ms\n");

    @TempDir
    Path dir;

    final RedcapClient redcap = new RedcapClient();

    @Test
    void editsToThePolicyApplyWhileServingAndBrokenEditsAreRefused() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, BASE)) {
            service.grant("prod", "alice", 42, Optional.empty());
            RedcapClient.Response first = redcap.call(service.url(SECRET), "alice", "42", URL);
            assertThat(first.body()).isEqualTo("1");
            DecisionRecord allowed =
                    service.decision(first.header("X-Decision-Id")).orElseThrow();
            JsonNode explanation =
                    new ObjectMapper().readTree(allowed.explanation().orElseThrow());
            assertThat(explanation.get("rule").asText()).isEqualTo("grant");
            assertThat(explanation.get("rules")).hasSize(8);
            assertThat(explanation.at("/facts/store/grant/active").asBoolean()).isTrue();
            assertThat(explanation.at("/facts/request/caller_ip").asText()).isEqualTo("127.0.0.1");
            String defaultVersion = allowed.policyVersion().orElseThrow();

            Files.writeString(dir.resolve("cdp-access.yaml"), BASE + """
                    policy:
                      rules:
                        - name: grant
                          effect: allow
                          when: store.grant.active
                        - name: project-42-closed
                          effect: deny
                          when: request.project_id == 42
                    """);
            await(() -> redcap.userAccess(service.url(SECRET), "alice", 42, URL).equals("0"));
            RedcapClient.Response closed = redcap.call(service.url(SECRET), "alice", "42", URL);
            DecisionRecord denied =
                    service.decision(closed.header("X-Decision-Id")).orElseThrow();
            assertThat(denied.reason()).isEqualTo("project-42-closed");
            assertThat(denied.policyVersion()).isPresent().isNotEqualTo(Optional.of(defaultVersion));
            assertThat(health(service)).contains("\"policy\":\"current\"");

            Files.writeString(dir.resolve("cdp-access.yaml"), BASE + """
                    policy:
                      rules:
                        - name: broken
                          effect: allow
                          when: store.grant.actve
                    """);
            await(() -> health(service).contains("\"policy\":\"stale\""));
            assertThat(health(service)).contains("\"status\":\"ready\""); // the last good policy keeps serving
            RedcapClient.Response stillClosed = redcap.call(service.url(SECRET), "alice", "42", URL);
            assertThat(stillClosed.body()).isEqualTo("0");
            assertThat(service.decision(stillClosed.header("X-Decision-Id"))
                            .orElseThrow()
                            .reason())
                    .isEqualTo("project-42-closed");
        }
    }

    private String health(ServiceUnderTest service) {
        return redcap.send("GET", service.base() + "/health/ready", new byte[0], null)
                .body();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the running service never picked up the change");
    }
}
