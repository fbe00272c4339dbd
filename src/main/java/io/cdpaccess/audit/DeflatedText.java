package io.cdpaccess.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Text kept deflated: UTF-8, then zlib (RFC 1950, the format of Python's {@code zlib},
 * {@code pigz -z} and every zlib binding), fastest level. An explanation's JSON repeats its keys
 * and fact names, so it shrinks to about a third; the decision log's commits write that much less.
 */
final class DeflatedText {

    /**
     * One deflater per thread, reset between uses: a new one sets up zlib's state (a few hundred
     * KiB) each time, which on the decision log's writer thread cost more than the compression.
     */
    private static final ThreadLocal<Deflater> DEFLATER =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));

    private DeflatedText() {}

    static byte[] deflate(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        Deflater deflater = DEFLATER.get();
        try {
            deflater.setInput(input);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 2 + 64);
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.reset();
        }
    }

    /**
     * @throws IllegalStateException when the bytes are not zlib data: the column was written by
     *     something other than cdp-access
     */
    static String inflate(byte[] deflated) {
        Inflated state = INFLATER.get();
        Inflater inflater = state.inflater;
        try {
            inflater.setInput(deflated);
            int length = 0;
            while (!inflater.finished()) {
                if (length == state.buffer.length) {
                    state.buffer = Arrays.copyOf(state.buffer, length * 2);
                }
                int n = inflater.inflate(state.buffer, length, state.buffer.length - length);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a deflated explanation ends early: the decisions table was"
                            + " changed outside cdp-access");
                }
                length += n;
            }
            String text = new String(state.buffer, 0, length, StandardCharsets.UTF_8);
            if (state.buffer.length > MAX_KEPT) {
                state.buffer = new byte[INITIAL];
            }
            return text;
        } catch (DataFormatException e) {
            throw new IllegalStateException(
                    "a deflated explanation is not zlib data (" + e.getMessage()
                            + "): the decisions table was changed outside cdp-access",
                    e);
        } finally {
            inflater.reset();
        }
    }

    /**
     * An inflater and its output buffer, one per thread and reused, as for deflating: an export
     * inflates every record's explanation, and setting up zlib's state and window for each one
     * took half of its time.
     */
    private static final class Inflated {
        final Inflater inflater = new Inflater();
        byte[] buffer = new byte[INITIAL];
    }

    private static final int INITIAL = 16 * 1024;
    /** A buffer grown past this for one huge text is not kept for the next. */
    private static final int MAX_KEPT = 1024 * 1024;

    private static final ThreadLocal<Inflated> INFLATER = ThreadLocal.withInitial(Inflated::new);
}
