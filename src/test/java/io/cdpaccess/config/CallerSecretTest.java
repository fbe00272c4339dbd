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
    void refusesSecretsThatCarryFewerThan128BitsWithoutQuotingThem() {
        // What people type: words and digits, 22 characters, about 117 bits by its alphabet.
        String typed = "redcap-prod-2026-123456";
        assertThatThrownBy(() -> CallerSecret.parse(typed))
                .hasMessageContaining("too easy to guess")
                .hasMessageContaining("at least 128")
                .hasMessageContaining("config new-secret")
                .message()
                .doesNotContain(typed);
        // 31 hex digits are 124 bits, 32 are 128; 38 decimal digits 126, 39 are 129.
        assertThatThrownBy(() -> CallerSecret.parse("0123456789abcdef0123456789abcde"))
                .hasMessageContaining("about 124 bits");
        assertThat(CallerSecret.parse("0123456789abcdef0123456789abcdef").plainText())
                .isPresent();
        assertThatThrownBy(() -> CallerSecret.parse("0".repeat(38))).hasMessageContaining("about 126 bits");
        assertThat(CallerSecret.parse("1".repeat(39)).plainText()).isPresent();
        // 22 base64url characters drawing on every group carry 132 bits; one letter case alone does not.
        assertThat(CallerSecret.parse("Zq3-vT8_mW1xK0pL5nR7yA").plainText()).isPresent();
        assertThatThrownBy(() -> CallerSecret.parse("zqxvtmwkplnryaxbcdghjs")).hasMessageContaining("about 103 bits");
        assertThatThrownBy(() -> CallerSecret.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallerSecret.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // half of `openssl rand -base64 32` outputs hold + or /; pasted into a URL, + arrives as a space
                "q8Yb+Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3w=",
                "q8Yb/Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3wQ",
                "q8Yb%2BZx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3",
                "q8Yb#Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3wQ",
                "q8Yb&Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3wQ",
                "q8Yb Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8oB3wQ",
                "q8Yb\u00e9Zx0Kd3mW7pL1tR5vN9sC2hF6jA4eG0iU8o"
            })
    void refusesSecretsThatAUrlWouldChange(String secret) {
        assertThatThrownBy(() -> CallerSecret.parse(secret))
                .hasMessageContaining("which a URL changes")
                .hasMessageContaining("A-Z a-z 0-9 - _ . ~")
                .hasMessageContaining("config new-secret")
                .message()
                .doesNotContain(secret.substring(5));
    }

    @Test
    void generatedAndAdvisedSecretsAreAccepted() {
        for (int i = 0; i < 200; i++) {
            String generated = CallerSecret.generate();
            assertThat(generated).matches("[A-Za-z0-9_-]{43}");
            assertThat(CallerSecret.parse(generated).matches(generated)).isTrue();
        }
    }
}
