package io.cdpaccess.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @Test
    void readsIpv4AndIpv6Literals() {
        assertThat(IpAddresses.parseLiteral("10.1.2.3"))
                .isInstanceOf(Inet4Address.class)
                .extracting(a -> a.getHostAddress())
                .isEqualTo("10.1.2.3");
        assertThat(IpAddresses.parseLiteral(" 0.0.0.0 ").getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(IpAddresses.parseLiteral("255.255.255.255").getHostAddress()).isEqualTo("255.255.255.255");
        assertThat(IpAddresses.parseLiteral("::1")).isInstanceOf(Inet6Address.class);
        assertThat(IpAddresses.parseLiteral("[2001:DB8::1]")).isEqualTo(IpAddresses.parseLiteral("2001:db8::1"));
        assertThat(IpAddresses.parseLiteral("0:0:0:0:0:0:0:1")).isEqualTo(IpAddresses.parseLiteral("::1"));
        assertThat(IpAddresses.parseLiteral("fe80::1%eth0")).isEqualTo(IpAddresses.parseLiteral("fe80::1"));
        assertThat(IpAddresses.parseLiteral("::ffff:192.0.2.1").getHostAddress())
                .isEqualTo("192.0.2.1");
    }

    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "::1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "2001:db8:0:0:0:0:0:5, 2001:db8::5",
        "2001:DB8::0005, 2001:db8::5",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "fe80::1%eth0, fe80::1",
        "1:0:0:0:0:0:0:0, 1::",
        "::ffff:192.0.2.1, 192.0.2.1",
        "::192.0.2.1, ::c000:201",
        "10.1.2.3, 10.1.2.3",
        "[2001:db8::abcd:ef01], 2001:db8::abcd:ef01"
    })
    void writesAddressesAsRfc5952Does(String literal, String canonical) {
        assertThat(IpAddresses.canonical(IpAddresses.parseLiteral(literal))).isEqualTo(canonical);
        assertThat(IpAddresses.canonicalOrAsIs(literal)).isEqualTo(canonical);
    }

    @Test
    void leavesTextThatIsNotAnAddressAsItIs() {
        assertThat(IpAddresses.canonicalOrAsIs("-")).isEqualTo("-");
        assertThat(IpAddresses.canonicalOrAsIs("example.com")).isEqualTo("example.com");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost",
                "example.com",
                "redcap.example.edu",
                "nonexistent.invalid",
                "LOCALHOST",
                "deadbeef",
                "abc",
                "cafe.babe",
                "1",
                "1.2",
                "1.2.3",
                "1.2.3.4.5",
                "256.1.1.1",
                "1.2.3.-4",
                "1.2.3 .4",
                "0x7f.0.0.1",
                "0x7f000001",
                "2130706433",
                "1.2.3.4:80",
                "1.2.3.4/8",
                "::g",
                "12345::",
                "[::1",
                "::1]",
                "[]",
                "",
                " ",
                "%eth0",
                "[localhost]",
                "1.2.3.４",
                "١.٢.٣.٤"
            })
    void refusesAnythingButALiteral(String text) {
        // A host name must be refused, not resolved: parsing never touches DNS.
        assertThatThrownBy(() -> IpAddresses.parseLiteral(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an IP address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"010.0.0.1", "10.0.0.01", "00.0.0.0", "127.000.000.001"})
    void refusesIpv4PartsWithLeadingZeros(String text) {
        // Some tools read 010 as octal (8): the same text must not mean two networks.
        assertThatThrownBy(() -> IpAddresses.parseLiteral(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> IpAddresses.parseLiteral(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
