package io.cdpaccess.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one definition of text unsafe to show: what it covers, how it is shown, and that the request
 * parser refuses exactly its line breakers while accepting (and so deciding on) invisible characters.
 */
class UnsafeTextTest {

    @ParameterizedTest
    @ValueSource(
            ints = {
                0x00,
                0x09,
                0x0a,
                0x0d,
                0x1b,
                0x7f,
                0x85,
                0x9f, // C0, DEL, C1
                0x2028,
                0x2029, // line and paragraph separators
                0x202a,
                0x202b,
                0x202c,
                0x202d,
                0x202e,
                0x2066,
                0x2067,
                0x2068,
                0x2069, // bidi
                0x200b,
                0x200c,
                0x200d,
                0x200e,
                0x200f,
                0x2060,
                0xfeff,
                0x00ad,
                0x061c, // zero-width
                0xfe0f,
                0x3164,
                0x115f,
                0xffa0, // default-ignorable, not format
                0xe0001,
                0xe0041,
                0xe007f, // tag characters, which can smuggle invisible ASCII
                0xd800,
                0xdfff // half a surrogate pair
            })
    void controlsSeparatorsAndInvisibleCharactersAreUnsafe(int codePoint) {
        assertThat(UnsafeText.isUnsafe(codePoint)).isTrue();
        assertThat(UnsafeText.hasUnsafe("a" + new String(Character.toChars(codePoint)) + "b"))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {'a', ' ', '"', '\\', 0xa0, 0x3000, 0xe9, 0x4e2d, 0x1f600, 0xff1d, 0x2212})
    void visibleTextAndSpacesAreSafe(int codePoint) {
        assertThat(UnsafeText.isUnsafe(codePoint)).isFalse();
    }

    @Test
    void unsafeCharactersAreShownEscapedPerUtf16Unit() {
        assertThat(UnsafeText.escape("\u202enimda")).isEqualTo("\\u202enimda");
        assertThat(UnsafeText.escape("a\nb\tc\rd")).isEqualTo("a\\nb\\tc\\rd");
        assertThat(UnsafeText.escape("x\uDB40\uDC41y")).isEqualTo("x\\udb40\\udc41y");
        assertThat(UnsafeText.escape("lone \uD800 half")).isEqualTo("lone \\ud800 half");
        assertThat(UnsafeText.escape("J\u00f6rg \uD83D\uDE00 \"q\" a\\b"))
                .isEqualTo("J\u00f6rg \uD83D\uDE00 \"q\" a\\b");
    }

    @Test
    void theQuotedFormIsAJsonStringOfTheText() {
        assertThat(UnsafeText.quote("a\"b\\c\u202e\n")).isEqualTo("\"a\\\"b\\\\c\\u202e\\n\"");
    }

    @Test
    void theParserRefusesLineBreakersButDecidesOnInvisibleCharacters() {
        for (String invisible : List.of("\u202e", "\u200b", "\u2066", "\ufeff", "\uDB40\uDC41")) {
            ParsedBody parsed = RequestParser.fromFields(Map.of(
                    "user", List.of("jdoe" + invisible),
                    "project_id", List.of("1"),
                    "redcap_url", List.of("https://redcap.example.edu/")));
            assertThat(parsed).as(UnsafeText.escape(invisible)).isInstanceOf(ParsedBody.Valid.class);
        }
        for (String breaker : List.of("\n", "\u0085", "\u2028", "\u0000")) {
            ParsedBody parsed = RequestParser.fromFields(Map.of(
                    "user", List.of("jdoe" + breaker),
                    "project_id", List.of("1"),
                    "redcap_url", List.of("https://redcap.example.edu/")));
            assertThat(parsed).as(UnsafeText.escape(breaker)).isInstanceOf(ParsedBody.Invalid.class);
        }
    }
}
