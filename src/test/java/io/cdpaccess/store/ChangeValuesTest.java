package io.cdpaccess.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ChangeValuesTest {

    @Test
    void recordsBecomeSnakeCaseJsonWithAbsentValuesAsNull() {
        Grant g = new Grant(
                "G1",
                "prod",
                "alice",
                OptionalLong.empty(),
                Instant.parse("2026-01-01T00:00:00Z"),
                Optional.empty(),
                Instant.parse("2026-01-01T00:00:00Z"),
                "admin",
                "IRB-1",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        ChangeValues v = ChangeValues.of(null, g);

        assertThat(v.before()).isEmpty();
        assertThat(v.after().orElseThrow())
                .isEqualTo("{\"id\":\"G1\",\"instance\":\"prod\",\"user\":\"alice\",\"project_id\":null,"
                        + "\"valid_from\":\"2026-01-01T00:00:00Z\",\"valid_until\":null,"
                        + "\"granted_at\":\"2026-01-01T00:00:00Z\",\"granted_by\":\"admin\",\"reason\":\"IRB-1\","
                        + "\"revoked_at\":null,\"revoked_by\":null,\"revoke_reason\":null}");
    }

    @Test
    void mapsWithNullsListsAndEnumsAreWrittenAsTheyAreAndAnEmptyListIsNoValue() {
        Map<String, Object> instance = new HashMap<>();
        instance.put("redcap_url", null);
        ChangeValues v =
                ChangeValues.of(List.of(), Map.of("instances", List.of(instance), "status", Project.Status.SUSPENDED));

        assertThat(v.before()).isEmpty();
        assertThat(v.after().orElseThrow())
                .contains("\"instances\":[{\"redcap_url\":null}]")
                .contains("\"status\":\"suspended\"");
    }
}
