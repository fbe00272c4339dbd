package io.cdpaccess.ops;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTextTest {

    @Test
    void nullIsADash() {
        assertThat(LogText.quote(null)).isEqualTo("-");
        assertThat(LogText.quote("")).isEqualTo("\"\"");
    }

    @Test
    void plainTextIsOnlyQuoted() {
        assertThat(LogText.quote("jdoe@example.edu")).isEqualTo("\"jdoe@example.edu\"");
        assertThat(LogText.quote("J\u00f6rg \uD83D\uDE00")).isEqualTo("\"J\u00f6rg \uD83D\uDE00\"");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "`a\nb`        | `\"a\\nb\"`",
                "`a\rb`        | `\"a\\rb\"`",
                "`a\tb`        | `\"a\\tb\"`",
                "`a\"b`        | `\"a\\\"b\"`",
                "`a\\b`        | `\"a\\\\b\"`",
                "`a\u001bb`    | `\"a\\u001bb\"`",
                "`a\u007fb`    | `\"a\\u007fb\"`",
                "`a\u0085b`    | `\"a\\u0085b\"`",
                "`a\u009fb`    | `\"a\\u009fb\"`",
                "`a\u2028b`    | `\"a\\u2028b\"`",
                "`a\u2029b`    | `\"a\\u2029b\"`",
                "`a\u000bb`    | `\"a\\u000bb\"`",
                "`a\u000cb`    | `\"a\\u000cb\"`",
                "`a\u202eb`    | `\"a\\u202eb\"`",
                "`a\uDB40\uDC41b` | `\"a\\udb40\\udc41b\"`",
                "`a\uFE0Fb`    | `\"a\\ufe0fb\"`",
            })
    void escapes(String text, String quoted) {
        assertThat(LogText.quote(text)).isEqualTo(quoted);
    }

    @Test
    void escapesNul() {
        // Not in the table above: the CSV reader drops NUL characters.
        assertThat(LogText.quote("a\u0000b")).isEqualTo("\"a\\u0000b\"");
    }

    @Test
    void aForgedLogLineStaysOnOneLine() {
        String forged = "jdoe\r\n2026-01-01 INFO decision=allow user=\"admin\"";
        String quoted = LogText.quote(forged);
        assertThat(quoted).doesNotContain("\n").doesNotContain("\r");
        assertThat(quoted).isEqualTo("\"jdoe\\r\\n2026-01-01 INFO decision=allow user=\\\"admin\\\"\"");
    }

    @Test
    void truncatesLongText() {
        String exactly = "a".repeat(LogText.MAX_LENGTH);
        assertThat(LogText.quote(exactly)).isEqualTo("\"" + exactly + "\"");
        assertThat(LogText.quote(exactly + "b")).isEqualTo("\"" + exactly + "...\"");
        assertThat(LogText.quote("x".repeat(100_000))).hasSize(LogText.MAX_LENGTH + 5);
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String text = "a".repeat(LogText.MAX_LENGTH - 1) + "\uD83D\uDE00" + "tail";
        String quoted = LogText.quote(text);
        assertThat(quoted).isEqualTo("\"" + "a".repeat(LogText.MAX_LENGTH - 1) + "...\"");
    }

    @Property
    void outputIsOneSafeLineThatReadsBackAsThePrefix(@ForAll("hostile") String text) {
        String quoted = LogText.quote(text);
        assertThat(quoted).startsWith("\"").endsWith("\"");
        assertThat(quoted.chars()).noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
        String inner = quoted.substring(1, quoted.length() - 1);
        boolean truncated = text.length() > LogText.MAX_LENGTH;
        if (truncated) {
            assertThat(inner).endsWith("...");
            inner = inner.substring(0, inner.length() - 3);
        }
        String back = unescape(inner);
        if (truncated) {
            assertThat(text).startsWith(back);
            assertThat(back.length()).isBetween(LogText.MAX_LENGTH - 1, LogText.MAX_LENGTH);
        } else {
            assertThat(back).isEqualTo(text);
        }
    }

    @Provide
    Arbitrary<String> hostile() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().range(' ', '~'),
                Arbitraries.chars().range('\u0000', '\u001f'),
                Arbitraries.chars().range('\u007f', '\u009f'),
                Arbitraries.of('"', '\\', '\u2028', '\u2029', '\u00e9', '\u4e2d'));
        Arbitrary<String> simple = chars.list().ofMaxSize(320).map(cs -> {
            StringBuilder b = new StringBuilder();
            cs.forEach(b::append);
            return b.toString();
        });
        return Arbitraries.oneOf(
                simple,
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.integers().between(0, 10).map(n -> "a".repeat(LogText.MAX_LENGTH - n) + "\\\"\n"));
    }

    /** Reverses the escaping, failing on anything a reader of the log could not undo. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                throw new AssertionError("unescaped quote in " + s);
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new AssertionError("unknown escape \\" + e);
            }
        }
        return out.toString();
    }
}
