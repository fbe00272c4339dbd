package io.cdpaccess.meters;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.ops.PrometheusText;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSourceStateTest {

    @Test
    void aSourceReadsAsUpBreakerCacheRatioAndMeanLatencyByOutcome() {
        Map<String, ServerSourceState> states = ServerSourceState.of(PrometheusText.parse("""
                cdp_access_source_up{source="ldap"} 1.0
                cdp_access_source_breaker_open{source="ldap"} 0.0
                cdp_access_source_cache_total{result="hit",source="ldap"} 1204.0
                cdp_access_source_cache_total{result="miss",source="ldap"} 88.0
                cdp_access_source_cache_total{result="stale",source="ldap"} 2.0
                cdp_access_source_lookup_seconds_count{outcome="found",source="ldap"} 80
                cdp_access_source_lookup_seconds_sum{outcome="found",source="ldap"} 0.248
                cdp_access_source_lookup_seconds_count{outcome="error",source="ldap"} 8
                cdp_access_source_lookup_seconds_sum{outcome="error",source="ldap"} 0.016
                cdp_access_source_lookup_seconds_count{outcome="timeout",source="ldap"} 0
                cdp_access_source_up{source="redcap"} 0.0
                cdp_access_source_breaker_open{source="redcap"} 1.0
                cdp_access_source_up{source="gone"} NaN
                cdp_access_source_breaker_open{source="gone"} NaN
                cdp_access_requests_total{instance="prod"} 5
                """));
        assertThat(states.keySet()).containsExactly("ldap", "redcap", "gone");
        assertThat(states.get("ldap").line())
                .isEqualTo("up, breaker closed, cache 93% hits (1,204 hit / 88 miss), lookups found 80 (avg 3.1 ms)"
                        + " / error 8 (avg 2.0 ms), stale 2");
        assertThat(states.get("redcap").line())
                .isEqualTo("DOWN, breaker OPEN (not asked), cache not used yet, no lookups, stale 0");
        assertThat(states.get("gone").line()).isEqualTo("no longer serves this source (removed by a reload)");
    }

    @Test
    void aCacheThatEverMissedNeverReadsAHundredPercent() {
        ServerSourceState state =
                ServerSourceState.of(PrometheusText.parse("""
                cdp_access_source_cache_total{result="hit",source="s"} 999
                cdp_access_source_cache_total{result="miss",source="s"} 1
                """)).get("s");
        assertThat(state.line()).startsWith("cache 99% hits (999 hit / 1 miss)");
    }
}
