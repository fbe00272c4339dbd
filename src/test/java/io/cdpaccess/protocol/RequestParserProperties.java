package io.cdpaccess.protocol;

import static io.cdpaccess.protocol.FormEncoding.URLENCODED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the wire parser: whatever PHP encodes reads back unchanged, no byte sequence
 * makes it throw, and a {@link ParsedBody.Valid} is only ever produced for a body that follows
 * every field rule (checked against a small, obviously-correct oracle).
 */
class RequestParserProperties {

    // ---- (a) round trip of what PHP / cURL send ----

    @Property
    void urlEncodedValuesReadBackUnchanged(@ForAll("text") String name, @ForAll("text") String value) throws Exception {
        Assume.that(!name.isEmpty());
        byte[] body = FormEncoding.httpBuildQuery(List.of(Map.entry("other", "x"), Map.entry(name, value)));
        Map<String, List<String>> fields = FormBody.parse(body, URLENCODED);
        assertThat(fields.get(name)).containsExactly(value);
    }

    @Property
    void multipartValuesReadBackUnchanged(@ForAll("text") String value, @ForAll("boundaries") String boundary)
            throws Exception {
        Assume.that(!("\r\n" + value + "\r\n").contains("\r\n--" + boundary));
        byte[] body = FormEncoding.multipart(boundary, List.of(Map.entry("user", value), Map.entry("other", "x")));
        Map<String, List<String>> fields = FormBody.parse(body, "multipart/form-data; boundary=\"" + boundary + "\"");
        assertThat(fields.get("user")).containsExactly(value);
        assertThat(fields.get("other")).containsExactly("x");
    }

    @Property
    void aWellFormedRequestReadsBackAsSent(
            @ForAll("goodUsers") String user, @ForAll("goodIds") long projectId, @ForAll boolean multipart) {
        String url = "https://redcap.example.edu/";
        List<Map.Entry<String, String>> fields =
                FormEncoding.pairs("user", user, "project_id", Long.toString(projectId), "redcap_url", url);
        ParsedBody parsed = multipart
                ? RequestParser.parse(
                        FormEncoding.multipart("b0undary", fields), "multipart/form-data; boundary=b0undary")
                : RequestParser.parse(FormEncoding.httpBuildQuery(fields), URLENCODED);
        assertThat(parsed).isEqualTo(new ParsedBody.Valid(AccessRequest.of(user, projectId, RedcapUrl.parse(url))));
    }

    /** Any Unicode text PHP could hold as UTF-8: every code point except lone surrogates. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0x1f)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                0x7f,
                                0x85,
                                0xa0,
                                0x2028,
                                0x2029,
                                0xfeff,
                                (int) '%',
                                (int) '+',
                                (int) '&',
                                (int) '=',
                                (int) '"',
                                (int) '\\',
                                (int) '\r',
                                (int) '\n',
                                (int) '-')),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0xd7ff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0x10ffff)));
        return codePoints.list().ofMaxSize(40).map(RequestParserProperties::fromCodePoints);
    }

    /** Boundaries as cURL and browsers make them, and odd but legal ones. */
    @Provide
    Arbitrary<String> boundaries() {
        Arbitrary<String> curl = Arbitraries.strings()
                .withChars("0123456789abcdef")
                .ofLength(16)
                .map(hex -> "------------------------" + hex);
        Arbitrary<String> legal = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?")
                .ofMinLength(1)
                .ofMaxLength(70);
        return Arbitraries.oneOf(curl, legal);
    }

    @Provide
    Arbitrary<String> goodUsers() {
        return text().filter(s ->
                !s.isEmpty() && s.length() <= 255 && !s.strip().isEmpty() && !Texts.hasControlCharacter(s));
    }

    @Provide
    Arbitrary<Long> goodIds() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 100_000), Arbitraries.longs().between(1, 999_999_999_999_999_999L));
    }

    // ---- (b) no input makes the parser throw ----

    @Property(tries = 2000)
    void anyBytesWithAnyContentTypeYieldValidOrInvalid(
            @ForAll("bodies") byte[] body, @ForAll("contentTypes") String contentType) {
        assertThatCode(() -> {
                    ParsedBody parsed = RequestParser.parse(body, contentType);
                    assertThat(parsed).isNotNull();
                    if (parsed instanceof ParsedBody.Invalid invalid) {
                        assertThat(invalid.problem()).isNotBlank();
                        assertThat(invalid.empty()).isEqualTo(body.length == 0);
                    }
                })
                .doesNotThrowAnyException();
    }

    @Property
    void malformedBodiesThrowOnlyMalformedBodyException(
            @ForAll("bodies") byte[] body, @ForAll("contentTypes") String contentType) {
        try {
            FormBody.parse(body, contentType);
        } catch (MalformedBodyException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Random bytes, and bodies stitched from pieces of real forms so that deep paths are reached. */
    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<String> piece = Arbitraries.of(
                "user=",
                "project_id=",
                "redcap_url=",
                "jdoe",
                "42",
                "&",
                "=",
                "%",
                "%4",
                "%41",
                "%C3",
                "%B6",
                "%FF",
                "+",
                "https%3A%2F%2Fr.example.edu%2F",
                "--b",
                "--b--",
                "\r\n",
                "\r\n\r\n",
                "Content-Disposition: form-data; name=\"user\"",
                "; filename=\"f\"",
                "name=",
                "\"",
                ":",
                " ",
                "\u00e9",
                "\uD83D\uDE00",
                "\u0000",
                "\u2028");
        Arbitrary<byte[]> stitched = piece.list().ofMaxSize(30).map(parts -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(p -> out.writeBytes(p.getBytes(StandardCharsets.UTF_8)));
            return out.toByteArray();
        });
        Arbitrary<byte[]> mixed = Combinators.combine(stitched, random).as((a, b) -> {
            byte[] out = new byte[a.length + b.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        });
        return Arbitraries.oneOf(random, stitched, mixed);
    }

    @Provide
    Arbitrary<String> contentTypes() {
        Arbitrary<String> known = Arbitraries.of(
                URLENCODED,
                URLENCODED + "; charset=utf-8",
                URLENCODED + "; charset=us-ascii",
                URLENCODED + "; charset=iso-8859-1",
                URLENCODED + "; charset=x",
                "multipart/form-data; boundary=b",
                "multipart/form-data; boundary=\"b\"",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=\"",
                "application/json",
                "",
                ";",
                ";;=",
                "=",
                "\"",
                "a/b; c=\"d;e\"; f");
        Arbitrary<String> random = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<String> randomParams =
                Arbitraries.strings().withChars("ab=;\" \\/-").ofMaxLength(30).map(p -> "multipart/form-data; " + p);
        return Arbitraries.oneOf(known, random, randomParams, Arbitraries.just(null));
    }

    // ---- (c) Valid only for bodies that follow every rule ----

    private static final Pattern PROJECT_ID = Pattern.compile("[0-9]{1,18}");

    @Property(tries = 3000)
    void validExactlyWhenEveryRuleHolds(
            @ForAll("requestFields") List<Map.Entry<String, String>> fields, @ForAll boolean multipart) {
        byte[] body = multipart
                ? FormEncoding.multipart("------------------------0123456789abcdef", fields)
                : FormEncoding.httpBuildQuery(fields);
        String contentType =
                multipart ? "multipart/form-data; boundary=------------------------0123456789abcdef" : URLENCODED;
        ParsedBody parsed = RequestParser.parse(body, contentType);
        boolean expectValid = oracleAccepts(fields);
        Statistics.label("valid").collect(expectValid);
        Statistics.label("valid").coverage(c -> c.check(true).percentage(p -> p > 5));

        if (body.length == 0) {
            assertThat(parsed)
                    .isInstanceOfSatisfying(
                            ParsedBody.Invalid.class, i -> assertThat(i.empty()).isTrue());
            return;
        }
        if (!expectValid) {
            assertThat(parsed).isInstanceOf(ParsedBody.Invalid.class);
            return;
        }
        assertThat(parsed).isInstanceOf(ParsedBody.Valid.class);
        AccessRequest r = ((ParsedBody.Valid) parsed).request();
        String user = only(fields, "user");
        assertThat(r.user()).isEqualTo(user);
        assertThat(r.normalizedUser()).isEqualTo(Username.normalize(user)).isNotEmpty();
        assertThat(r.projectId()).isPositive().isEqualTo(Long.parseLong(only(fields, "project_id")));
        assertThat(r.redcapUrl()).isEqualTo(RedcapUrl.parse(only(fields, "redcap_url")));
    }

    /** The rules of REDCAP.md and RequestParser's Javadoc, written as plainly as possible. */
    private static boolean oracleAccepts(List<Map.Entry<String, String>> fields) {
        for (String name : List.of("user", "project_id", "redcap_url")) {
            if (fields.stream().filter(f -> f.getKey().equals(name)).count() != 1) {
                return false;
            }
            String v = only(fields, name);
            if (v.isEmpty() || v.length() > 255) {
                return false;
            }
            for (char c : v.toCharArray()) {
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                    return false;
                }
            }
        }
        if (only(fields, "user").strip().isEmpty()) {
            return false;
        }
        String pid = only(fields, "project_id");
        if (!PROJECT_ID.matcher(pid).matches() || pid.chars().allMatch(c -> c == '0')) {
            return false;
        }
        try {
            RedcapUrl.parse(only(fields, "redcap_url"));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String only(List<Map.Entry<String, String>> fields, String name) {
        return fields.stream()
                .filter(f -> f.getKey().equals(name))
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    @Provide
    Arbitrary<List<Map.Entry<String, String>>> requestFields() {
        Arbitrary<String> users = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6, Arbitraries.of("jdoe", "JDoe@Example.EDU", " jdoe ", "J\u00f6rg", "\u0130rem")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.of(
                                "",
                                " ",
                                "\u3000",
                                "a\u0000",
                                "a\r\nb",
                                "a\u2028",
                                "a\u007f",
                                "a\u0085",
                                "u".repeat(255),
                                "u".repeat(256),
                                "a\u200bb")),
                net.jqwik.api.Tuple.of(2, text()));
        Arbitrary<String> ids = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6, Arbitraries.longs().between(1, 1_000_000).map(String::valueOf)),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of(
                                "0",
                                "00",
                                "007",
                                "+1",
                                "-1",
                                " 1",
                                "1 ",
                                "1.0",
                                "\u0661",
                                "999999999999999999",
                                "1000000000000000000",
                                "")),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.strings().withChars("0123456789+- .e").ofMaxLength(20)));
        Arbitrary<String> urls = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6,
                        Arbitraries.of(
                                "https://redcap.example.edu/",
                                "HTTPS://REDCAP.example.edu",
                                "http://10.0.0.1:8080/redcap",
                                "https://[2001:db8::1]/")),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of(
                                "",
                                "*",
                                "redcap.example.edu",
                                "ftp://x/",
                                "https://a:b@x/",
                                "https://x/?q",
                                "https://x/#f",
                                "https://x/\u2028",
                                "https:///",
                                "https://x/" + "p".repeat(250))),
                net.jqwik.api.Tuple.of(1, text()));
        Arbitrary<List<String>> userCopies = users.list().ofMaxSize(2).injectDuplicates(0.1);
        Arbitrary<List<String>> idCopies = ids.list().ofMaxSize(2);
        Arbitrary<List<String>> urlCopies = urls.list().ofMaxSize(2);
        Arbitrary<List<String>> weighted = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just(List.<String>of())),
                net.jqwik.api.Tuple.of(1, text().list().ofMaxSize(2)));
        Arbitrary<List<String>> oneMostly = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, users.map(List::of)), net.jqwik.api.Tuple.of(1, userCopies));
        Arbitrary<List<String>> idMostly = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, ids.map(List::of)), net.jqwik.api.Tuple.of(1, idCopies));
        Arbitrary<List<String>> urlMostly = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, urls.map(List::of)), net.jqwik.api.Tuple.of(1, urlCopies));
        return Combinators.combine(oneMostly, idMostly, urlMostly, weighted, Arbitraries.randoms())
                .as((us, ps, rs, extras, random) -> {
                    List<Map.Entry<String, String>> fields = new ArrayList<>();
                    us.forEach(u -> fields.add(Map.entry("user", u)));
                    ps.forEach(p -> fields.add(Map.entry("project_id", p)));
                    rs.forEach(r -> fields.add(Map.entry("redcap_url", r)));
                    extras.forEach(e -> fields.add(Map.entry("extra", e)));
                    Collections.shuffle(fields, random);
                    return fields;
                });
    }

    private static String fromCodePoints(List<Integer> codePoints) {
        StringBuilder b = new StringBuilder();
        codePoints.forEach(b::appendCodePoint);
        return b.toString();
    }
}
