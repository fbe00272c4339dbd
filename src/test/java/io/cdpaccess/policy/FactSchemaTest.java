package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FactSchemaTest {

    @Test
    void twoDifferentStructuresUnderOneNameAreRefused() {
        // e.g. a source declaring its own "cdp.Grant": CEL would check both against one type's fields
        FactType.Struct grant = FactType.Struct.of("t.Grant", "active", FactType.Scalar.BOOL);
        FactType.Struct otherGrant = FactType.Struct.of("t.Grant", "state", FactType.Scalar.STRING);
        Map<String, FactType> variables = new LinkedHashMap<>();
        variables.put("store", FactType.Struct.of("t.Store", "grant", grant));
        variables.put("ldap", FactType.Struct.of("t.Ldap", "grant", otherGrant));

        assertThatThrownBy(() -> FactSchema.of(variables))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two different structures are named t.Grant")
                .hasMessageContaining("active")
                .hasMessageContaining("state");
    }

    @Test
    void oneStructureUsedInTwoPlacesOrDefinedTwiceAlikeIsFine() {
        FactType.Struct grant = FactType.Struct.of("t.Grant", "active", FactType.Scalar.BOOL);
        FactType.Struct sameAgain = FactType.Struct.of("t.Grant", "active", FactType.Scalar.BOOL);
        Map<String, FactType> variables = new LinkedHashMap<>();
        variables.put("store", FactType.Struct.of("t.Store", "grant", grant, "previous", grant));
        variables.put("archive", FactType.Struct.of("t.Archive", "grant", sameAgain));

        FactSchema schema = FactSchema.of(variables);

        assertThat(schema.variables()).containsOnlyKeys("store", "archive");
    }
}
