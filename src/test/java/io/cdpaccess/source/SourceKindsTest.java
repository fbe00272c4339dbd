package io.cdpaccess.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.testing.ScriptedSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the sources' facts allow that the configuration's shape alone cannot tell. */
class SourceKindsTest {

    private final SourceKinds kinds = new SourceKinds(Map.of("ldap", new ScriptedSource()));

    private static SourceConfig source(String name, Optional<String> via, Optional<String> irbNumber) {
        return ScriptedSource.config(
                name,
                Duration.ofSeconds(1),
                SourceConfig.SourceCache.DEFAULT,
                new IdentityMapping(via, false, Optional.empty(), Optional.empty()),
                irbNumber);
    }

    @Test
    void aKeyOrIrbNumberFromAnotherSourceMustBeOneOfItsTextFacts() {
        SourceConfig dir = source("dir", Optional.empty(), Optional.empty());
        SourceConfig byGroups = source("a", Optional.of("dir.groups"), Optional.of("dir.irb_number"));
        SourceConfig byExpiry = source("b", Optional.of("dir.until"), Optional.empty());
        SourceConfig byGroupsIrb = source("c", Optional.empty(), Optional.of("dir.groups"));
        SourceConfig byNothing = source("d", Optional.of("dir.nothing"), Optional.of("dir.nothing"));

        SourceConfigException e = catchThrowableOfType(
                SourceConfigException.class,
                () -> kinds.variables(List.of(dir, byGroups, byExpiry, byGroupsIrb, byNothing)));

        assertThat(e.problems())
                .containsExactly(
                        "test.yaml:1: source 'b': identity.via dir.until is not a string or a list of strings",
                        "test.yaml:1: source 'c': irb_number dir.groups is not a string",
                        "test.yaml:1: source 'd': identity.via dir.nothing is not a fact of that source",
                        "test.yaml:1: source 'd': irb_number dir.nothing is not a fact of that source");
    }
}
