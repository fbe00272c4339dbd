package io.cdpaccess.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.IpAddresses;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallerAddressTest {

    private static final InetAddress PROXY = IpAddresses.parseLiteral("10.0.0.1");
    private final CallerAddress callerAddress = new CallerAddress(List.of(Cidr.parse("10.0.0.0/24")));

    @Test
    void aTrailingCommaAddsNoHop() {
        assertThat(callerAddress.resolve(PROXY, List.of("203.0.113.7,"))).isEqualTo(addr("203.0.113.7"));
    }

    @Test
    void anEmptyHeaderIsAGarbledEntryThatEndsWhatCanBeBelieved() {
        // The proxy's own, last header is empty: nothing before it can be attributed to anyone.
        assertThat(callerAddress.resolve(PROXY, List.of("203.0.113.7", ""))).isEqualTo(PROXY);
    }

    @Test
    void entriesAreReadRightToLeftAcrossHeadersAsLongAsTheHopIsTrusted() {
        assertThat(callerAddress.resolve(PROXY, List.of("198.51.100.9, 10.0.0.2", "10.0.0.3")))
                .isEqualTo(addr("198.51.100.9"));
        assertThat(callerAddress.resolve(addr("192.0.2.1"), List.of("198.51.100.9")))
                .isEqualTo(addr("192.0.2.1"));
    }

    private static InetAddress addr(String literal) {
        return IpAddresses.parseLiteral(literal);
    }
}
