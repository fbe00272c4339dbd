package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.protocol.RedcapUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped, documented example configuration stays valid and means what its comments say. */
class ExampleConfigTest {

    @Test
    void theShippedExampleLoads() throws Exception {
        ServiceConfig c = new ConfigLoader(Map.of(
                        "CDP_ACCESS_DB_PASSWORD",
                        "db-pass",
                        "CDP_ACCESS_PROD_SECRET",
                        "an-example-secret-0123456789-XYZ"))
                .load(Path.of("config/cdp-access.example.yaml"));

        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.zone()).isEqualTo(ZoneId.of("America/Chicago"));
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.store().url()).startsWith("jdbc:postgresql:");
        assertThat(c.store().password().reveal()).isEqualTo("db-pass");
        assertThat(c.instances()).extracting(InstanceConfig::name).containsExactly("prod", "test");
        assertThat(c.instance("test").orElseThrow().redcapUrl())
                .contains(RedcapUrl.parse("https://redcap-test.example.edu/redcap/"));
        assertThat(c.instance("test").orElseThrow().secret().matches("test")).isTrue();
        assertThat(c.instance("prod").orElseThrow().secret().matches("an-example-secret-0123456789-XYZ"))
                .isTrue();
        assertThat(c.trustedProxies()).hasSize(1);
        assertThat(c.tls()).isEmpty();
        assertThat(c.authFailures()).isEqualTo(new AuthFailureLimit(10, Duration.ofMinutes(1), Duration.ofSeconds(5)));
        assertThat(c.audit().retention()).isEqualTo(java.time.Period.ofYears(6));
        assertThat(c.metrics().enabled()).isTrue();
        assertThat(c.metrics().allowFrom())
                .startsWith(MetricsConfig.DEFAULT.allowFrom().toArray(Cidr[]::new))
                .contains(Cidr.parse("10.20.7.15/32"));
    }
}
