package io.cdpaccess.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void labelValuesAreUnescapedAndMayHoldCommasBracesQuotesAndSpaces() {
        List<PrometheusText.Sample> samples = PrometheusText.parse("""
                # HELP cdp_access_source_up 1 when the fact source's last lookup succeeded
                # TYPE cdp_access_source_up gauge
                cdp_access_source_up{source="a,b} \\"c\\" d\\\\e\\nf"} 1.0
                cdp_access_source_lookup_seconds_count{outcome="found",source="ldap",} 88 1700000000000
                cdp_access_source_breaker_open{source="gone"} NaN
                cdp_access_source_lookup_seconds_bucket{le="+Inf",source="ldap"} +Inf
                """);
        assertThat(samples).hasSize(4);
        assertThat(samples.get(0).labels()).isEqualTo(Map.of("source", "a,b} \"c\" d\\e\nf"));
        assertThat(samples.get(0).value()).isEqualTo(1.0);
        assertThat(samples.get(1).label("outcome")).isEqualTo("found");
        assertThat(samples.get(1).value()).as("a timestamp is not the value").isEqualTo(88.0);
        assertThat(samples.get(2).value()).isNaN();
        assertThat(samples.get(3).value()).isInfinite();
    }

    @Test
    void linesThatAreNotSamplesArePassedOverWithoutHidingTheOthers() {
        List<PrometheusText.Sample> samples =
                PrometheusText.parse("garbage here\nx{unclosed=\"a} 1\nx{a=b} 1\n9x 1\nok 2\nx 1 2 3\n\r\n");
        assertThat(samples).extracting(PrometheusText.Sample::name).containsExactly("ok");
    }
}
