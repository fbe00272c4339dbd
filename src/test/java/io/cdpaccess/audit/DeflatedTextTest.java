package io.cdpaccess.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Explanations kept deflated read back exactly, whatever their size, on a thread that reuses its inflater. */
class DeflatedTextTest {

    /** Text that does not shrink much: longer when inflated than the inflater's first buffer. */
    private static String noisy(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder(length);
        while (s.length() < length) {
            s.append((char) ('a' + random.nextInt(26))).append(random.nextInt(10) == 0 ? "é" : "");
        }
        return s.toString();
    }

    @Test
    void textsOfEverySizeReadBackExactlyOneAfterAnother() {
        String small = "{\"format\":1,\"rules\":[]}";
        String larger = noisy(100_000, 1); // past the 16 KiB first buffer
        String huge = noisy(3_000_000, 2); // past the 1 MiB a thread keeps

        for (String text : new String[] {small, larger, huge, small, larger}) {
            assertThat(DeflatedText.inflate(DeflatedText.deflate(text))).isEqualTo(text);
        }
    }

    @Test
    void bytesThatAreNotZlibOrEndEarlyAreNamedAsChangedOutsideAndTheNextTextStillReads() {
        byte[] whole = DeflatedText.deflate(noisy(5_000, 3));

        assertThatThrownBy(() -> DeflatedText.inflate(new byte[] {1, 2, 3, 4}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not zlib data");
        assertThatThrownBy(() -> DeflatedText.inflate(Arrays.copyOf(whole, whole.length / 2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ends early");
        assertThat(DeflatedText.inflate(DeflatedText.deflate("after"))).isEqualTo("after");
    }
}
