package io.cdpaccess.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1:8080       | 127.0.0.1   | 8080",
                "0.0.0.0:443          | 0.0.0.0     | 443",
                ":8080                | 0.0.0.0     | 8080",
                "[::1]:8080           | ::1         | 8080",
                "[::]:0               | ::          | 0",
                "localhost:65535      | localhost   | 65535",
                "' 10.0.0.1:80 '      | 10.0.0.1    | 80",
            })
    void parses(String text, String host, int port) {
        assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "8080",
                "localhost",
                "::1:8080",
                "::1",
                "127.0.0.1:",
                "127.0.0.1:http",
                "127.0.0.1:65536",
                "127.0.0.1:-1",
                "127.0.0.1:99999999999",
                "[::1]"
            })
    void refusesMalformed(String text) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsIpv6InBracketsAndReadsBack() {
        HostPort v6 = HostPort.parse("[2001:db8::1]:8443");
        assertThat(v6.urlHost()).isEqualTo("[2001:db8::1]");
        assertThat(v6.toString()).isEqualTo("[2001:db8::1]:8443");
        assertThat(HostPort.parse(v6.toString())).isEqualTo(v6);
        HostPort v4 = HostPort.parse("127.0.0.1:8080");
        assertThat(v4.toString()).isEqualTo("127.0.0.1:8080");
        assertThat(HostPort.parse(v4.toString())).isEqualTo(v4);
    }
}
