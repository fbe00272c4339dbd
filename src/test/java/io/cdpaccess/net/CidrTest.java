package io.cdpaccess.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
        "10.0.0.0/8,         10.0.0.0,          true",
        "10.0.0.0/8,         10.255.255.255,    true",
        "10.0.0.0/8,         9.255.255.255,     false",
        "10.0.0.0/8,         11.0.0.0,          false",
        "192.168.1.0/24,     192.168.1.0,       true",
        "192.168.1.0/24,     192.168.1.255,     true",
        "192.168.1.0/24,     192.168.0.255,     false",
        "192.168.1.0/24,     192.168.2.0,       false",
        "172.16.0.0/12,      172.31.255.255,    true",
        "172.16.0.0/12,      172.32.0.0,        false",
        "172.16.0.0/12,      172.15.255.255,    false",
        "10.1.2.3/32,        10.1.2.3,          true",
        "10.1.2.3/32,        10.1.2.4,          false",
        "10.1.2.3/32,        10.1.2.2,          false",
        "10.1.2.3,           10.1.2.3,          true",
        "10.1.2.3,           10.1.2.4,          false",
        "0.0.0.0/0,          0.0.0.0,           true",
        "0.0.0.0/0,          255.255.255.255,   true",
        "0.0.0.0/0,          ::,                false",
        "0.0.0.0/0,          ::1,               false",
        "10.1.2.3/31,        10.1.2.2,          true",
        "10.1.2.3/31,        10.1.2.4,          false",
        "2001:db8::/32,      2001:db8::,        true",
        "2001:db8::/32,      2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
        "2001:db8::/32,      2001:db9::,        false",
        "2001:db8::/32,      2001:db7:ffff:ffff:ffff:ffff:ffff:ffff, false",
        "2001:db8::/32,      10.0.0.1,          false",
        "2001:db8:1::/47,    2001:db8:1:ffff::1, true",
        "2001:db8:1::/47,    2001:db8:2::1,     false",
        "::1/128,            ::1,               true",
        "::1/128,            ::2,               false",
        "::1,                ::1,               true",
        "::1/128,            127.0.0.1,         false",
        "::/0,               ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, true",
        "::/0,               0.0.0.0,           false",
        "::/0,               127.0.0.1,         false",
        "127.0.0.0/8,        ::1,               false",
        "[::1]/128,          ::1,               true",
    })
    void containsAtTheBoundaries(String cidr, String address, boolean expected) {
        assertThat(Cidr.parse(cidr).contains(ip(address))).isEqualTo(expected);
    }

    @Test
    void ipv4MappedIpv6AddressesAreSeenAsIpv4() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:10.1.2.3"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(ip("::ffff:10.1.2.3"))).isFalse();
    }

    @Test
    void hostBitsAreMaskedOff() {
        Cidr sloppy = Cidr.parse("10.1.2.3/8");
        assertThat(sloppy).isEqualTo(Cidr.parse("10.0.0.0/8")).hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
        assertThat(sloppy.contains(ip("10.200.0.1"))).isTrue();
        assertThat(sloppy.toString()).isEqualTo("10.1.2.3/8");
        assertThat(Cidr.parse("10.1.2.3").prefixLength()).isEqualTo(32);
        assertThat(Cidr.parse("::1").prefixLength()).isEqualTo(128);
    }

    @Test
    void networkBytesCannotBeChangedFromOutside() {
        Cidr c = Cidr.parse("10.0.0.0/8");
        c.network()[0] = 11;
        assertThat(c.contains(ip("10.0.0.1"))).isTrue();
        assertThat(c.contains(ip("11.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0/33",
                "::/129",
                "10.0.0.0/",
                "10.0.0.0/-1",
                "10.0.0.0/abc",
                "10.0.0.0/8/8",
                "10.0.0.0/1000",
                "/8",
                "",
                "example.com/24",
                "localhost",
                "10.0.0/8",
                "10. 0.0.0/8"
            })
    void refusesMalformedNetworks(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> Cidr.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
