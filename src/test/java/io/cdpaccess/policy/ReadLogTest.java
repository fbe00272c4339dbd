package io.cdpaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rule's record of the facts it read is a proper, immutable, ordered map: explanations, replay and tests compare and print it. */
class ReadLogTest {

    @Test
    void aRuleRecordBehavesLikeAnUnmodifiableLinkedHashMapKeepingTheFirstValueRead() {
        ReadLog log = new ReadLog();
        log.startRule();
        log.read("a", 1L);
        log.startRule();
        log.read("b", null);
        log.read("c", "x");
        log.read("b", "later");
        log.read("d", Instant.EPOCH);
        Map<String, Object> reads = log.ruleReads();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", null);
        expected.put("c", "x");
        expected.put("d", Instant.EPOCH);
        Map<String, Object> old = Collections.unmodifiableMap(expected);

        assertThat(reads).isEqualTo(old);
        assertThat(old).isEqualTo(reads);
        assertThat(reads.hashCode()).isEqualTo(old.hashCode());
        assertThat(reads.toString()).isEqualTo(old.toString());
        assertThat(reads.keySet()).containsExactly("b", "c", "d");
        assertThat(reads.containsKey("b")).isTrue();
        assertThat(reads.containsKey(null)).isFalse();
        assertThat(reads.get(null)).isNull();
        assertThat(reads.get(42)).isNull();
        assertThat(reads.containsValue(null)).isTrue();
        assertThat(reads.entrySet()).contains(new java.util.AbstractMap.SimpleEntry<>("b", null));
        assertThat(reads.getOrDefault("b", "dflt")).isNull();
        assertThatThrownBy(() -> reads.put("e", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> reads.remove("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(reads::clear).isInstanceOf(UnsupportedOperationException.class);
        Iterator<Map.Entry<String, Object>> it = reads.entrySet().iterator();
        it.next();
        assertThatThrownBy(it::remove).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> reads.entrySet().iterator().next().setValue(1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aRecordIsNotChangedByLaterReads() {
        ReadLog log = new ReadLog();
        log.startRule();
        log.read("a", 1L);
        Map<String, Object> first = log.ruleReads();
        for (int i = 0; i < 200; i++) { // the log's array grows
            log.read("x" + i, i);
        }
        log.startRule();
        assertThat(first).containsExactly(Map.entry("a", 1L));
        assertThat(log.ruleReads()).isEmpty();
    }
}
