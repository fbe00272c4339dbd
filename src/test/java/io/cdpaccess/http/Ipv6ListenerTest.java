package io.cdpaccess.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpaccess.testing.RawHttp;
import io.cdpaccess.testing.ServiceUnderTest;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener on IPv6 loopback, with allowlists written in IPv6 CIDR. */
class Ipv6ListenerTest {

    @TempDir
    Path dir;

    @Test
    void ipv6CallersAreMatchedAgainstIpv6AllowLists() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, """
                listen: "[::1]:0"
                data_dir: ./data
                instances:
                  - name: here
                    redcap_url: https://redcap.example.edu/
                    secret: here-secret-0123456789-XYZ
                    allow_from: ["::1/128"]
                  - name: elsewhere
                    redcap_url: https://redcap2.example.edu/
                    secret: elsewhere-secret-0123456789-XYZ
                    allow_from: ["2001:db8::/32", 127.0.0.1/32]
                """)) {
            service.grant("here", "alice", 42, Optional.empty());
            service.grant("elsewhere", "alice", 42, Optional.empty());

            RawHttp.Response allowed =
                    postOverIpv6(service, "here-secret-0123456789-XYZ", "https://redcap.example.edu/");
            RawHttp.Response refused =
                    postOverIpv6(service, "elsewhere-secret-0123456789-XYZ", "https://redcap2.example.edu/");

            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("1");
            assertThat(service.decision(allowed.header("X-Decision-Id"))
                            .orElseThrow()
                            .callerIp())
                    .isEqualTo("::1");
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.body()).isEqualTo("0");
        }
    }

    /** The JDK writes IPv6 loopback as 0:0:0:0:0:0:0:1; a rule written as people write it must match. */
    @Test
    void aRuleOnTheCallersAddressMatchesItAsPeopleWriteIt() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, """
                listen: "[::1]:0"
                data_dir: ./data
                instances:
                  - name: here
                    redcap_url: https://redcap.example.edu/
                    secret: here-secret-0123456789-XYZ
                policy:
                  rules:
                    - name: from-loopback
                      effect: allow
                      when: store.grant.active && request.caller_ip == '::1'
                    - name: from-loopback-network
                      effect: allow
                      when: store.grant.active && cidr('::1/128').containsIP(request.caller_ip)
                """)) {
            service.grant("here", "alice", 42, Optional.empty());

            RawHttp.Response allowed =
                    postOverIpv6(service, "here-secret-0123456789-XYZ", "https://redcap.example.edu/");

            assertThat(allowed.body()).isEqualTo("1");
            JsonNode explanation = new ObjectMapper()
                    .readTree(service.decision(allowed.header("X-Decision-Id"))
                            .orElseThrow()
                            .explanation()
                            .orElseThrow());
            assertThat(explanation.at("/facts/request/caller_ip").asText()).isEqualTo("::1");
            assertThat(explanation.get("rule").asText()).isEqualTo("from-loopback");
            assertThat(explanation.at("/rules/1/result").asText()).isEqualTo("matched");
        }
    }

    /** REDCap's call for alice in project 42 from ::1 to the service's IPv6 listener. */
    private static RawHttp.Response postOverIpv6(ServiceUnderTest service, String secret, String redcapUrl)
            throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        return RawHttp.send(
                v6,
                v6,
                service.port(),
                RawHttp.request(
                        "POST",
                        "/user-access?secret=" + secret,
                        Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        UserAccessEndpointTest.form("alice", "42", redcapUrl)),
                10_000);
    }
}
