package io.cdpaccess.source.redcapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.config.ConfigLoader;
import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.decision.CoreFacts;
import io.cdpaccess.policy.CompiledPolicy;
import io.cdpaccess.policy.FactSchema;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.policy.PolicyCompiler;
import io.cdpaccess.whatif.PolicyCases;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped sample {@code config/samples/redcap-rights.yaml} loads, and its policy passes its
 * own cases when compiled with the facts the {@code redcapdb} source declares. (Here the
 * schema is put together by hand; {@code policy test} does the same once sources are part of
 * the configured schema.)
 */
class RedcapRightsSampleTest {

    static final Path SAMPLE = Path.of("config/samples/redcap-rights.yaml");
    static final Path CASES = Path.of("config/samples/redcap-rights.cases.yaml");

    static ServiceConfig load() throws Exception {
        return new ConfigLoader(Map.of(
                        "CDP_ACCESS_PROD_SECRET", "an-example-secret-0123456789-XYZ",
                        "REDCAP_DB_PASSWORD", "db-pass"))
                .load(SAMPLE);
    }

    @Test
    void theSampleLoadsWithItsRedcapDatabaseSource() throws Exception {
        ServiceConfig c = load();
        assertThat(c.sources()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("redcap");
            assertThat(s.settings()).isInstanceOfSatisfying(RedcapDbSettings.class, r -> {
                assertThat(r.url()).isEqualTo("jdbc:mariadb://redcap-db.example.edu:3306/redcap");
                assertThat(r.password().reveal()).isEqualTo("db-pass");
                assertThat(r.zone()).isEqualTo(ZoneId.of("America/Chicago"));
                assertThat(r.ehrId()).isEmpty();
            });
        });
        assertThat(c.policy()).hasValueSatisfying(p -> assertThat(p.rules()).hasSize(11));
    }

    @Test
    void itsPolicyPassesItsCases() throws Exception {
        ServiceConfig c = load();
        SourceConfig source = c.sources().get(0);
        Map<String, FactType> variables = new LinkedHashMap<>(CoreFacts.variables());
        variables.put(source.name(), new RedcapDbSource().facts(source));
        CompiledPolicy policy =
                new PolicyCompiler(FactSchema.of(variables)).compile(c.policy().orElseThrow());
        List<PolicyCases.Case> cases = PolicyCases.read(CASES);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(15);
        List<PolicyCases.Outcome> outcomes = PolicyCases.run(policy, cases);
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.passed())
                        .as(o.testCase().name() + ": " + o.message())
                        .isTrue());
        // Every rule decides at least one case: none is dead.
        assertThat(outcomes.stream().map(PolicyCases.Outcome::actualRule).distinct())
                .containsExactlyInAnyOrderElementsOf(c.policy().orElseThrow().rules().stream()
                        .map(r -> r.name())
                        .toList());
    }
}
