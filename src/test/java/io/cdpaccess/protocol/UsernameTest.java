package io.cdpaccess.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class UsernameTest {

    @Test
    void trimsAndLowerCases() {
        assertThat(Username.normalize("  JDoe@Example.EDU \t")).isEqualTo("jdoe@example.edu");
        assertThat(Username.normalize("jdoe")).isEqualTo("jdoe");
    }

    @Test
    void lowerCasesInTheRootLocaleEvenUnderATurkishDefault() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            // In Turkish "I".toLowerCase() is a dotless ı: admin would not match ADMIN.
            assertThat("ADMIN".toLowerCase()).isEqualTo("admın");
            assertThat(Username.normalize("ADMIN")).isEqualTo("admin");
            assertThat(Username.normalize("IRB-Office")).isEqualTo("irb-office");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void composesToNfc() {
        assertThat(Username.normalize("Jose\u0301")).isEqualTo("jos\u00e9");
        assertThat(Username.normalize("JOS\u0045\u0301")).isEqualTo("jos\u00e9");
        assertThat(Username.normalize("Jos\u00c9")).isEqualTo("jos\u00e9");
    }

    @Test
    void composedAndDecomposedSpellingsAreTheSameUser() {
        // J + combining caron has no precomposed capital, but its lower case does (U+01F0 ǰ).
        assertThat(Username.normalize("J\u030Cdoe")).isEqualTo(Username.normalize("\u01F0doe"));
        // Angstrom sign, A + ring and Å are one letter.
        assertThat(Username.normalize("\u212Bsa"))
                .isEqualTo(Username.normalize("A\u030Asa"))
                .isEqualTo(Username.normalize("\u00e5sa"));
    }

    @Property
    void isIdempotent(@ForAll("names") String name) {
        String once = Username.normalize(name);
        assertThat(Username.normalize(once)).isEqualTo(once);
    }

    @Property
    void ignoresHowTheTextIsComposed(@ForAll("names") String name) {
        String nfd = Normalizer.normalize(name, Normalizer.Form.NFD);
        String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
        assertThat(Username.normalize(nfd)).isEqualTo(Username.normalize(nfc)).isEqualTo(Username.normalize(name));
    }

    /**
     * Lower-casing is not full Unicode case folding (ϰ/κ, ſ/s, µ/μ, ß/ss stay apart), so case
     * insensitivity is claimed for the letters REDCap usernames are made of in practice.
     */
    @Property
    void ignoresCase(@ForAll("caseableNames") String name) {
        assertThat(Username.normalize(name.toUpperCase(Locale.ROOT)))
                .isEqualTo(Username.normalize(name.toLowerCase(Locale.ROOT)));
    }

    @Provide
    Arbitrary<String> caseableNames() {
        return Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.-_ ")
                .withChars(
                        "\u00e0\u00e1\u00e2\u00e4\u00e5\u00e6\u00e7\u00e8\u00e9\u00f1\u00f6\u00f8\u00fc\u00c0\u00c9\u00d6\u00dc")
                .withChars("\u03b1\u03b2\u03b3\u03b4\u0391\u0392\u0410\u0411\u0430\u0431")
                .ofMaxLength(16);
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<Character> letters = Arbitraries.oneOf(
                Arbitraries.chars().alpha(),
                Arbitraries.chars().range('\u00c0', '\u024f'),
                Arbitraries.chars().range('\u0300', '\u036f'),
                Arbitraries.chars().range('\u0370', '\u03ff'),
                Arbitraries.chars().range('\u1e00', '\u1eff'),
                Arbitraries.of(' ', '@', '.', '-', '_', '\u0130', '\u212b', '\u212a', '\u01c5'));
        return letters.list().ofMaxSize(12).map(cs -> {
            StringBuilder b = new StringBuilder();
            cs.forEach(b::append);
            return b.toString();
        });
    }
}
