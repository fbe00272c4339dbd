package io.cdpaccess.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RedcapUrlTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "https://redcap.example.edu                 | https://redcap.example.edu/",
                "https://redcap.example.edu/                | https://redcap.example.edu/",
                "https://redcap.example.edu///              | https://redcap.example.edu/",
                "HTTPS://Redcap.Example.EDU                 | https://redcap.example.edu/",
                "https://redcap.example.edu:443/            | https://redcap.example.edu/",
                "http://redcap.example.edu:80               | http://redcap.example.edu/",
                "https://redcap.example.edu:8443            | https://redcap.example.edu:8443/",
                "http://redcap.example.edu:443/             | http://redcap.example.edu:443/",
                "https://redcap.example.edu:80/             | https://redcap.example.edu:80/",
                "https://redcap.example.edu/redcap          | https://redcap.example.edu/redcap/",
                "https://redcap.example.edu/REDCap//        | https://redcap.example.edu/REDCap/",
                "https://redcap.example.edu/a/b/            | https://redcap.example.edu/a/b/",
                "https://[2001:DB8::1]                      | https://[2001:db8::1]/",
                "https://[2001:db8::1]:443/redcap/          | https://[2001:db8::1]/redcap/",
                "https://[::1]:8443/redcap                  | https://[::1]:8443/redcap/",
                "http://10.1.2.3:8080/redcap                | http://10.1.2.3:8080/redcap/",
            })
    void canonicalizes(String raw, String canonical) {
        assertThat(RedcapUrl.parse(raw).value()).isEqualTo(canonical);
        assertThat(RedcapUrl.parse(raw).toString()).isEqualTo(canonical);
    }

    @Test
    void surroundingWhiteSpaceIsIgnored() {
        assertThat(RedcapUrl.parse("  https://redcap.example.edu/ \n"))
                .isEqualTo(RedcapUrl.parse("https://redcap.example.edu"));
    }

    @Test
    void whatAnAdministratorTypesMatchesWhatRedcapSends() {
        RedcapUrl typed = RedcapUrl.parse("HTTPS://Redcap.Example.EDU:443");
        RedcapUrl sent = RedcapUrl.parse("https://redcap.example.edu/");
        assertThat(typed).isEqualTo(sent).hasSameHashCodeAs(sent);
    }

    @Test
    void canonicalFormIsAFixedPoint() {
        RedcapUrl once = RedcapUrl.parse("HTTPS://Redcap.Example.EDU:443//redcap//");
        assertThat(RedcapUrl.parse(once.value())).isEqualTo(once);
    }

    @Test
    void differentInstallationsStayDifferent() {
        assertThat(RedcapUrl.parse("https://redcap.example.edu/"))
                .isNotEqualTo(RedcapUrl.parse("https://redcap-test.example.edu/"))
                .isNotEqualTo(RedcapUrl.parse("http://redcap.example.edu/"))
                .isNotEqualTo(RedcapUrl.parse("https://redcap.example.edu:8443/"))
                .isNotEqualTo(RedcapUrl.parse("https://redcap.example.edu/redcap/"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t\n"})
    void refusesBlank(String raw) {
        assertThatThrownBy(() -> RedcapUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redcap.example.edu/",
                "//redcap.example.edu/",
                "/redcap/",
                "ftp://redcap.example.edu/",
                "file:///var/www/redcap/",
                "mailto:admin@example.edu",
                "javascript:alert(1)",
            })
    void refusesOtherThanHttpAndHttps(String raw) {
        assertThatThrownBy(() -> RedcapUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http:// or https://");
    }

    @Test
    void refusesCredentialsWithoutRepeatingThem() {
        assertThatThrownBy(() -> RedcapUrl.parse("https://admin:hunter2hunter2@redcap.example.edu/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user:password@")
                .message()
                .doesNotContain("hunter2");
        assertThatThrownBy(() -> RedcapUrl.parse("https://admin@redcap.example.edu/"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://redcap.example.edu/?secret=abc",
                "https://redcap.example.edu/?",
                "https://redcap.example.edu/#top",
                "https://redcap.example.edu/#",
                "https://redcap.example.edu/redcap/index.php?pid=1",
            })
    void refusesQueryAndFragment(String raw) {
        assertThatThrownBy(() -> RedcapUrl.parse(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query or fragment");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https:///redcap/",
                "https://",
                "http://:8080/",
                "https://redcap example.edu/",
                "https://redcap.example.edu/\u0000",
                "https://[2001:db8::1/"
            })
    void refusesUrlsWithoutAUsableHost(String raw) {
        assertThatThrownBy(() -> RedcapUrl.parse(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorRefusesEmpty() {
        assertThatThrownBy(() -> new RedcapUrl("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedcapUrl(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
