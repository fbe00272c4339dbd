package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallerSecretTest {

    private static final String PLAIN = "Zx9-correct-horse-battery";

    @Test
    void plainSecretMatchesOnlyItself() {
        CallerSecret s = CallerSecret.parse(PLAIN);
        assertThat(s.matches(PLAIN)).isTrue();
        assertThat(s.matches(PLAIN + "x")).isFalse();
        assertThat(s.matches(PLAIN.substring(1))).isFalse();
        assertThat(s.matches(PLAIN.toUpperCase(Locale.ROOT))).isFalse();
        assertThat(s.matches("")).isFalse();
        assertThat(s.matches(null)).isFalse();
        assertThat(s.plainText()).contains(PLAIN);
    }

    @Test
    void hashedFormMatchesThePlainText() {
        String hashed = CallerSecret.hashed(PLAIN);
        assertThat(hashed).matches("sha256:[0-9a-f]{64}");
        CallerSecret s = CallerSecret.parse(hashed);
        assertThat(s.matches(PLAIN)).isTrue();
        assertThat(s.matches(hashed)).isFalse();
        assertThat(s.plainText()).isEmpty();
        assertThat(CallerSecret.parse(hashed.toUpperCase(Locale.ROOT)).matches(PLAIN))
                .isTrue();
        assertThat(s.sameAs(CallerSecret.parse(PLAIN))).isTrue();
        assertThat(s.sameAs(CallerSecret.parse(PLAIN + "2"))).isFalse();
    }

    @Test
    void hashIsTheStandardSha256OfTheUtf8Text() {
        // So that `printf %s "$SECRET" | sha256sum` gives the value to configure.
        assertThat(CallerSecret.hashed("abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        CallerSecret plain = CallerSecret.parse(PLAIN);
        String hashed = CallerSecret.hashed(PLAIN);
        CallerSecret fromHash = CallerSecret.parse(hashed);
        for (CallerSecret s : new CallerSecret[] {plain, fromHash}) {
            assertThat(s.toString())
                    .doesNotContain(PLAIN)
                    .doesNotContain(hashed.substring(7))
                    .doesNotContain("Zx9");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sha256:",
                "sha256:abc",
                "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
                "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
                "sha256:" + "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            })
    void refusesMalformedHashes(String text) {
        assertThatThrownBy(() -> CallerSecret.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void refusesWeakOrUnusableSecretsWithoutQuotingThem() {
        String fifteen = "abcdefghijklmno";
        assertThatThrownBy(() -> CallerSecret.parse(fifteen))
                .hasMessageContaining("shorter than 16")
                .message()
                .doesNotContain(fifteen);
        assertThat(CallerSecret.parse(fifteen + "p").matches(fifteen + "p")).isTrue();
        String spaced = "secret with spaces in it";
        assertThatThrownBy(() -> CallerSecret.parse(spaced))
                .hasMessageContaining("printable ASCII")
                .message()
                .doesNotContain(spaced);
        assertThatThrownBy(() -> CallerSecret.parse("s\u00e9cr\u00e8t-0123456789abcdef"))
                .hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> CallerSecret.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallerSecret.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
