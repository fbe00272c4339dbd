package io.cdpaccess.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a pasted URL does to its secret, and how it is taken apart and masked, before any call. */
class UrlSecretCheckTest {

    private static List<String> lines(String url) {
        return UrlSecretCheck.check(url).stream().map(Finding::line).toList();
    }

    @Test
    void aUrlSafeSecretHasNoFindings() {
        assertThat(lines("https://cdp.example.edu/user-access?secret=z1c5W_ht3oZHOSz7nfbor7gpscg6UDxxyIA2_0vi5P4"))
                .isEmpty();
        assertThat(lines("https://redcap:abc%2Bdef@cdp.example.edu/user-access"))
                .singleElement()
                .asString()
                .startsWith("info: the password in user:pass@ contains %XX escapes");
    }

    @Test
    void eachCharacterAQueryMangelsIsNamedWithHowToMakeASafeSecret() {
        assertThat(lines("https://h/u?secret=a+b"))
                .singleElement()
                .asString()
                .contains("'+', which arrives as a space");
        assertThat(lines("https://h/u?secret=a%zzb")).singleElement().asString().contains("'%' not followed");
        assertThat(lines("https://h/u?secret=ab%4")).singleElement().asString().contains("'%' not followed");
        assertThat(lines("https://h/u?secret=a#b")).singleElement().asString().contains("the secret arrives cut short");
        assertThat(lines("https://h/u#x?secret=ab")).singleElement().asString().contains("the rest of the URL");
        assertThat(lines("https://h/u?secret=a&b")).singleElement().asString().contains("'&'");
        assertThat(lines("https://h/u?secret=a b")).singleElement().asString().contains("a space");
        assertThat(lines("https://h/u?secret=aé")).singleElement().asString().contains("non-ASCII");
        assertThat(lines("https://h/u?secret=a&secret=b"))
                .singleElement()
                .asString()
                .contains("more than one");
        assertThat(lines("https://h/u?secret=a+b")).allMatch(l -> l.contains("openssl rand -hex 32"));
    }

    @Test
    void eachCharacterAPasswordMangelsIsNamed() {
        assertThat(lines("https://redcap:p@ss@h/u")).singleElement().asString().contains("contains '@'");
        assertThat(lines("https://redcap:p/ss@h/u")).singleElement().asString().contains("'/', '?' or '#'");
        assertThat(lines("https://redcap:p?ss@h/u")).singleElement().asString().contains("'/', '?' or '#'");
        assertThat(lines("https://redcap:p:ss@h/u"))
                .singleElement()
                .asString()
                .startsWith("info:")
                .contains("':'");
        assertThat(lines("https://redcap:p%ss@h/u")).singleElement().asString().contains("'%' not followed");
        assertThat(lines("https://h/users/jdoe@example.edu")).isEmpty();
    }

    @Test
    void aUrlIsTakenApartAsCurlDoesAndPrintedMasked() throws Exception {
        ServiceUrl url = ServiceUrl.parse(" https://redcap:s%40cret@[::1]:8443?secret=abc#frag ");
        assertThat(url.https()).isTrue();
        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.port()).isEqualTo(8443);
        assertThat(url.target()).isEqualTo("/?secret=abc");
        assertThat(url.basicCredentials()).contains("redcap:s@cret");
        assertThat(url.referer()).isEqualTo("https://[::1]:8443/?secret=abc");
        assertThat(url.masked()).isEqualTo("https://redcap:***@[::1]:8443?secret=***#frag");
        assertThat(ServiceUrl.mask("https://redcap:p?s/s@h/u")).isEqualTo("https://redcap:***@h/u");
        assertThat(ServiceUrl.parse("http://H.example/x?a=1&token=t").hostHeader())
                .isEqualTo("h.example");
        assertThat(ServiceUrl.parse("http://h/x").resolve("/y?secret=s").raw()).isEqualTo("http://h:80/y?secret=s");
        assertThat(ServiceUrl.parse("http://h/a/b").resolve("c").target()).isEqualTo("/a/c");
        assertThat(ServiceUrl.parse("http://h/a b").requestTarget()).isEqualTo("/a%20b");

        assertThatThrownBy(() -> ServiceUrl.parse("ftp://h/")).hasMessageContaining("not an http");
        assertThatThrownBy(() -> ServiceUrl.parse("http://:80/")).hasMessageContaining("no host");
        assertThatThrownBy(() -> ServiceUrl.parse("http://h:99999/")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ServiceUrl.parse("http://[::1/")).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> ServiceUrl.parse("http://[::1]x/")).hasMessageContaining("after the IPv6");
        assertThatThrownBy(() -> ServiceUrl.parse("https://redcap:a/b@h/"))
                .hasMessageContaining("not a number")
                .hasMessageNotContaining("a/b");
    }

    @Test
    void redcapsRuleDecidesWhatItWouldStore() {
        assertThat(Call.phpTrim(" \t1\n\0")).isEqualTo("1");
        assertThat(Doctor.phpUrlencode("a b+é~")).isEqualTo("a+b%2B%C3%A9%7E");
        assertThat(Doctor.formBody(new Sample("jdoe@example.edu", "42", "https://r.example/")))
                .isEqualTo("user=jdoe%40example.edu&project_id=42&redcap_url=https%3A%2F%2Fr.example%2F");
    }
}
