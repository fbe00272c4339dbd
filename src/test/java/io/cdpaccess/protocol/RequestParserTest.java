package io.cdpaccess.protocol;

import static io.cdpaccess.protocol.FormEncoding.URLENCODED;
import static io.cdpaccess.protocol.FormEncoding.bytes;
import static io.cdpaccess.protocol.FormEncoding.httpBuildQuery;
import static io.cdpaccess.protocol.FormEncoding.pairs;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

    private static final String URL = "https://redcap.example.edu/";

    private static ParsedBody parse(String... namesAndValues) {
        return RequestParser.parse(httpBuildQuery(namesAndValues), URLENCODED);
    }

    private static AccessRequest valid(ParsedBody parsed) {
        assertThat(parsed).isInstanceOf(ParsedBody.Valid.class);
        return ((ParsedBody.Valid) parsed).request();
    }

    private static ParsedBody.Invalid invalid(ParsedBody parsed) {
        assertThat(parsed).isInstanceOf(ParsedBody.Invalid.class);
        ParsedBody.Invalid invalid = (ParsedBody.Invalid) parsed;
        assertThat(invalid.empty()).isFalse();
        assertThat(invalid.problem()).isNotBlank();
        return invalid;
    }

    @Test
    void readsWhatRedcapSends() {
        byte[] body = bytes("user=jdoe&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F");
        AccessRequest r = valid(RequestParser.parse(body, URLENCODED));
        assertThat(r.user()).isEqualTo("jdoe");
        assertThat(r.normalizedUser()).isEqualTo("jdoe");
        assertThat(r.projectId()).isEqualTo(42);
        assertThat(r.redcapUrl()).isEqualTo(new RedcapUrl(URL));
    }

    @Test
    void keepsTheUsernameAsSentAndNormalizesForLookups() {
        AccessRequest r = valid(parse("user", " JDoe@Example.EDU ", "project_id", "7", "redcap_url", URL));
        assertThat(r.user()).isEqualTo(" JDoe@Example.EDU ");
        assertThat(r.normalizedUser()).isEqualTo("jdoe@example.edu");
    }

    @Test
    void plusInTheBodyIsASpace() {
        AccessRequest r = valid(RequestParser.parse(
                bytes("user=J+Doe&project_id=1&redcap_url=https://redcap.example.edu/"), URLENCODED));
        assertThat(r.user()).isEqualTo("J Doe");
    }

    @Test
    void canonicalizesTheRedcapUrl() {
        AccessRequest r =
                valid(parse("user", "jdoe", "project_id", "1", "redcap_url", "HTTPS://Redcap.Example.EDU:443"));
        assertThat(r.redcapUrl().value()).isEqualTo(URL);
    }

    @Test
    void ignoresOtherFieldsInAnyOrder() {
        AccessRequest r = valid(parse("redcap_url", URL, "future_field", "x", "project_id", "9", "user", "jdoe"));
        assertThat(r.projectId()).isEqualTo(9);
    }

    @Test
    void acceptsMissingAndCharsetContentTypes() {
        byte[] body = httpBuildQuery("user", "jdoe", "project_id", "1", "redcap_url", URL);
        valid(RequestParser.parse(body, null));
        valid(RequestParser.parse(body, "application/x-www-form-urlencoded; charset=UTF-8"));
        valid(RequestParser.parse(body, "APPLICATION/X-WWW-FORM-URLENCODED"));
    }

    @Test
    void acceptsMultipart() {
        byte[] body = FormEncoding.multipart(
                "------------------------4ebf00fbcf09", pairs("user", "jdoe", "project_id", "42", "redcap_url", URL));
        AccessRequest r =
                valid(RequestParser.parse(body, "multipart/form-data; boundary=------------------------4ebf00fbcf09"));
        assertThat(r.projectId()).isEqualTo(42);
        AccessRequest quoted = valid(
                RequestParser.parse(body, "multipart/form-data; boundary=\"------------------------4ebf00fbcf09\""));
        assertThat(quoted).isEqualTo(r);
    }

    @Test
    void refusesMultipartFileParts() {
        String b = "xyz";
        String body = "--xyz\r\nContent-Disposition: form-data; name=\"user\"; filename=\"u\"\r\n\r\njdoe\r\n"
                + "--xyz\r\nContent-Disposition: form-data; name=\"project_id\"\r\n\r\n1\r\n"
                + "--xyz\r\nContent-Disposition: form-data; name=\"redcap_url\"\r\n\r\n" + URL + "\r\n--xyz--\r\n";
        ParsedBody.Invalid i = invalid(RequestParser.parse(bytes(body), "multipart/form-data; boundary=" + b));
        assertThat(i.problem()).contains("file");
    }

    @Test
    void emptyBodyIsRedcapsTestButton() {
        for (String type : new String[] {null, URLENCODED, "multipart/form-data; boundary=x", "application/json"}) {
            ParsedBody parsed = RequestParser.parse(new byte[0], type);
            assertThat(parsed)
                    .isEqualTo(new ParsedBody.Invalid(true, ((ParsedBody.Invalid) parsed).problem(), null, null, null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "project_id", "redcap_url"})
    void eachFieldIsRequired(String missing) {
        List<String> fields = new ArrayList<>(List.of("user", "jdoe", "project_id", "42", "redcap_url", URL));
        int at = fields.indexOf(missing);
        fields.remove(at);
        fields.remove(at);
        ParsedBody.Invalid i = invalid(parse(fields.toArray(new String[0])));
        assertThat(i.problem()).isEqualTo(missing + " is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "project_id", "redcap_url"})
    void eachFieldMayAppearOnlyOnce(String twice) {
        List<String> fields = new ArrayList<>(List.of("user", "jdoe", "project_id", "42", "redcap_url", URL));
        fields.add(twice);
        fields.add(fields.get(fields.indexOf(twice) + 1));
        ParsedBody.Invalid i = invalid(parse(fields.toArray(new String[0])));
        assertThat(i.problem()).isEqualTo(twice + " is given 2 times");
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "project_id", "redcap_url"})
    void eachFieldMustBeNonEmpty(String empty) {
        List<String> fields = new ArrayList<>(List.of("user", "jdoe", "project_id", "42", "redcap_url", URL));
        fields.set(fields.indexOf(empty) + 1, "");
        ParsedBody.Invalid i = invalid(parse(fields.toArray(new String[0])));
        assertThat(i.problem()).isEqualTo(empty + " is empty");
    }

    @Test
    void blankUserIsRefused() {
        ParsedBody.Invalid i = invalid(parse("user", "   ", "project_id", "1", "redcap_url", URL));
        assertThat(i.problem()).isEqualTo("user is blank");
        assertThat(i.user()).isEqualTo("   ");
    }

    @Test
    void acceptsUpTo255Characters() {
        String longest = "u".repeat(255);
        assertThat(valid(parse("user", longest, "project_id", "1", "redcap_url", URL))
                        .user())
                .isEqualTo(longest);
        String longUrl = "https://redcap.example.edu/" + "p".repeat(255 - 28) + "/";
        assertThat(longUrl).hasSize(255);
        valid(parse("user", "jdoe", "project_id", "1", "redcap_url", longUrl));
    }

    @Test
    void refusesLongerValuesAndKeepsThemTruncatedForTheRecord() {
        String tooLong = "u".repeat(300);
        ParsedBody.Invalid i = invalid(parse("user", tooLong, "project_id", "1", "redcap_url", URL));
        assertThat(i.problem()).isEqualTo("user is longer than 255 characters");
        assertThat(i.user()).isEqualTo("u".repeat(255) + "…");
        assertThat(i.projectId()).isEqualTo("1");
        assertThat(i.redcapUrl()).isEqualTo(URL);
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String user = "a".repeat(254) + "\uD83D\uDE00" + "b".repeat(10);
        ParsedBody.Invalid i = invalid(parse("user", user, "project_id", "1", "redcap_url", URL));
        assertThat(i.user()).isEqualTo("a".repeat(254) + "…");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"\u0000", "\t", "\n", "\r", "\r\n", "\u001b", "\u007f", "\u0085", "\u009f", "\u2028", "\u2029"})
    void refusesControlCharactersInEveryField(String control) {
        ParsedBody.Invalid u = invalid(parse("user", "jdoe" + control + "x", "project_id", "1", "redcap_url", URL));
        assertThat(u.problem()).isEqualTo("user contains a control character");
        assertThat(u.user()).isEqualTo("jdoe" + control + "x");
        ParsedBody.Invalid p = invalid(parse("user", "jdoe", "project_id", "1" + control, "redcap_url", URL));
        assertThat(p.problem()).isEqualTo("project_id contains a control character");
        ParsedBody.Invalid r = invalid(parse("user", "jdoe", "project_id", "1", "redcap_url", URL + control));
        assertThat(r.problem()).isEqualTo("redcap_url contains a control character");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+1",
                "-1",
                "0",
                "00",
                " 1",
                "1 ",
                "1.0",
                "1e3",
                "0x1F",
                "\u0661\u0662",
                "\uFF11",
                "1,000",
                "abc",
                "1000000000000000000",
                "9999999999999999999",
                "99999999999999999999999"
            })
    void refusesProjectIdsThatAreNotPlainPositiveDecimals(String pid) {
        ParsedBody.Invalid i = invalid(parse("user", "jdoe", "project_id", pid, "redcap_url", URL));
        assertThat(i.projectId()).isEqualTo(pid);
        assertThat(i.user()).isEqualTo("jdoe");
        assertThat(i.redcapUrl()).isEqualTo(URL);
    }

    @Test
    void acceptsEighteenDigitProjectIds() {
        assertThat(valid(parse("user", "jdoe", "project_id", "999999999999999999", "redcap_url", URL))
                        .projectId())
                .isEqualTo(999_999_999_999_999_999L);
        assertThat(valid(parse("user", "jdoe", "project_id", "1", "redcap_url", URL))
                        .projectId())
                .isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redcap.example.edu",
                "ftp://redcap.example.edu/",
                "https://u:p@redcap.example.edu/",
                "https://redcap.example.edu/?secret=x",
                "https://redcap.example.edu/#x",
                "*"
            })
    void refusesBadRedcapUrls(String url) {
        ParsedBody.Invalid i = invalid(parse("user", "jdoe", "project_id", "1", "redcap_url", url));
        assertThat(i.problem()).startsWith("redcap_url: ");
        assertThat(i.redcapUrl()).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "user=j%ZZ&project_id=1&redcap_url=x",
                "user=jdoe&project_id=1%",
                "user=%C3%28&project_id=1",
                "user=%FF"
            })
    void refusesMalformedEncodings(String body) {
        ParsedBody.Invalid i = invalid(RequestParser.parse(bytes(body), URLENCODED));
        assertThat(i.user()).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "text/plain",
                "application/xml",
                "text/html",
                "multipart/mixed; boundary=x",
                "application/x-www-form-urlencoded; charset=utf-16"
            })
    void refusesUnsupportedContentTypes(String type) {
        byte[] body = httpBuildQuery("user", "jdoe", "project_id", "1", "redcap_url", URL);
        invalid(RequestParser.parse(body, type));
    }

    @Test
    void refusesJsonEvenWhenItNamesTheFields() {
        byte[] json = bytes("{\"user\":\"jdoe\",\"project_id\":\"1\",\"redcap_url\":\"" + URL + "\"}");
        invalid(RequestParser.parse(json, "application/json"));
        invalid(RequestParser.parse(json, null));
    }

    @Test
    void fromFieldsAppliesTheSameRules() {
        assertThat(RequestParser.fromFields(
                        Map.of("user", List.of("jdoe"), "project_id", List.of("5"), "redcap_url", List.of(URL))))
                .isInstanceOf(ParsedBody.Valid.class);
        assertThat(RequestParser.fromFields(Map.of("user", List.of("jdoe"), "project_id", List.of("5"))))
                .isInstanceOf(ParsedBody.Invalid.class);
    }
}
