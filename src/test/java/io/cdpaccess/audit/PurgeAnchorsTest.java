package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.chain.Hash;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A purge record's after value: written as the README says, and read back only when it is one. */
class PurgeAnchorsTest {

    private static final Hash A = Hash.of(HexFormat.of().parseHex("ab".repeat(32)));
    private static final Hash B = Hash.of(HexFormat.of().parseHex("cd".repeat(32)));

    @Test
    void whatIsWrittenIsReadBackRangeByRange() {
        Map<String, Long> removed = new LinkedHashMap<>();
        removed.put("decisions", 3L);
        String json = PurgeAnchors.json(
                "6y",
                "2020-01-01T00:00:00Z",
                "alice",
                removed,
                List.of(new PurgeAnchors.Anchor(
                        "decisions",
                        "01CHAIN",
                        List.of(new PurgeAnchors.Range(1, 2, A, B, ""), new PurgeAnchors.Range(4, 4, B, A, "")))));

        assertThat(json)
                .startsWith("{\"format\":1,\"retention\":\"6y\",\"cutoff\":\"2020-01-01T00:00:00Z\",\"by\":\"alice\","
                        + "\"removed\":{\"decisions\":3},\"anchors\":[{\"table\":\"decisions\",\"chain_id\":\"01CHAIN\","
                        + "\"ranges\":[{\"from\":1,\"to\":2,\"previous_hash\":\"abab");
        assertThat(PurgeAnchors.parse(json, "01PURGE"))
                .singleElement()
                .satisfies(a -> assertThat(a.ranges())
                        .containsExactly(
                                new PurgeAnchors.Range(1, 2, A, B, "01PURGE"),
                                new PurgeAnchors.Range(4, 4, B, A, "01PURGE")));
    }

    @Test
    void anythingElseIsRefusedWithItsReason() {
        String hash = "\"" + "ab".repeat(32) + "\"";
        String range = "{\"from\":1,\"to\":2,\"previous_hash\":" + hash + ",\"last_hash\":" + hash + "}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(null, "not a purge record of format 1");
        cases.put("{not json", "is not JSON");
        cases.put("{\"format\":2,\"anchors\":[]}", "not a purge record of format 1");
        cases.put("{\"format\":1}", "no list of anchors");
        cases.put(anchors("{\"table\":\"grants\",\"chain_id\":\"c\",\"ranges\":[" + range + "]}"), "not chained");
        cases.put(anchors("{\"table\":\"decisions\",\"ranges\":[" + range + "]}"), "an anchor without chain_id");
        cases.put(anchors("{\"table\":\"decisions\",\"chain_id\":\"c\",\"ranges\":[]}"), "has no ranges");
        cases.put(
                anchors("{\"table\":\"decisions\",\"chain_id\":\"c\",\"ranges\":["
                        + range.replace("\"to\":2", "\"to\":0") + "]}"),
                "a range 1..0");
        cases.put(
                anchors("{\"table\":\"decisions\",\"chain_id\":\"c\",\"ranges\":["
                        + range.replace("\"from\":1", "\"from\":\"1\"") + "]}"),
                "a range without from");
        cases.put(
                anchors("{\"table\":\"decisions\",\"chain_id\":\"c\",\"ranges\":[" + range.replaceFirst("ab", "AB")
                        + "]}"),
                "previous_hash is not 64 hex digits");
        cases.forEach((json, why) -> assertThatThrownBy(() -> PurgeAnchors.parse(json, "01PURGE"))
                .as(String.valueOf(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why));
    }

    @Test
    void aBatchHoldsAtLeastOneRecord() {
        assertThatThrownBy(() -> new AuditPurge(null, 0)).hasMessageContaining("at least one record");
    }

    private static String anchors(String anchor) {
        return "{\"format\":1,\"anchors\":[" + anchor + "]}";
    }
}
