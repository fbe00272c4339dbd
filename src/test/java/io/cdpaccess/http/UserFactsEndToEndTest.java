package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.testing.RedcapClient;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deny rule on {@code request.user} holds for every spelling of the name that a grant lets
 * through: grants match the normalized name, so the rule must read that one too. Before, the
 * rule compared the name as sent, and {@code MALLORY} got through a rule written for mallory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserFactsEndToEndTest {

    @TempDir
    static Path dir;

    private final RedcapClient redcap = new RedcapClient();
    private ServiceUnderTest service;

    @BeforeAll
    void start() {
        service = ServiceUnderTest.start(dir, ServiceUnderTest.prodConfig("""
                policy:
                  rules:
                    - name: mallory-is-out
                      effect: deny
                      when: request.user == 'mallory'
                    - name: grant
                      effect: allow
                      when: store.grant.active
                """));
        service.grant("prod", "mallory", 42, Optional.empty());
        service.grant("prod", "alice", 42, Optional.empty());
    }

    @AfterAll
    void stop() {
        service.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mallory", "MALLORY", "Mallory", " mallory", "\u2003mallory", "mallory "})
    void aDenyRuleOnTheUserDeniesEverySpellingAGrantWouldAllow(String spelling) throws Exception {
        RedcapClient.Response r =
                redcap.call(service.url(ServiceUnderTest.PROD_SECRET), spelling, "42", ServiceUnderTest.PROD_URL);

        assertThat(r.body()).isEqualTo("0");
        assertThat(r.header("X-Decision-Reason")).isEqualTo("mallory-is-out");
        JsonNode request = new ObjectMapper()
                .readTree(service.decision(r.header("X-Decision-Id"))
                        .orElseThrow()
                        .explanation()
                        .orElseThrow())
                .at("/facts/request");
        assertThat(request.get("user").asText()).isEqualTo("mallory");
        assertThat(request.get("user_as_sent").asText()).isEqualTo(spelling);
        assertThat(request.get("normalized_user").asText()).isEqualTo("mallory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "ALICE", " Alice"})
    void othersWithAGrantAreStillAllowed(String spelling) {
        assertThat(redcap.userAccess(
                        service.url(ServiceUnderTest.PROD_SECRET), spelling, 42, ServiceUnderTest.PROD_URL))
                .isEqualTo("1");
    }
}
