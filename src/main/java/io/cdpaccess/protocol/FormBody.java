package io.cdpaccess.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strict reader of the two form encodings REDCap (PHP cURL) can send:
 * {@code application/x-www-form-urlencoded} (what {@code http_build_query} produces, REDCap's
 * normal case) and {@code multipart/form-data} (what cURL sends for an array body).
 *
 * <p>Strict means: malformed percent escapes, invalid UTF-8, file uploads and unknown content
 * types are errors rather than guesses, so that nothing ambiguous can reach a decision. A missing
 * content type is read as URL-encoded, the encoding of every REDCap version.
 */
public final class FormBody {

    /** More fields than any REDCap request has; bounds the work a hostile body can cause. */
    static final int MAX_FIELDS = 64;

    private FormBody() {}

    /**
     * Parses a body into field name → values in the order received.
     *
     * @param body the raw bytes, already bounded in size by the caller
     * @param contentType the request's {@code Content-Type} header, or null
     */
    public static Map<String, List<String>> parse(byte[] body, String contentType) throws MalformedBodyException {
        MediaType type = MediaType.parse(contentType);
        Charset charset = charsetOf(type);
        return switch (type.essence()) {
            case "", "application/x-www-form-urlencoded" -> parseUrlEncoded(body, charset);
            case "multipart/form-data" -> Multipart.parse(body, type.parameter("boundary"));
            default -> throw new MalformedBodyException("unsupported content type " + type.essence());
        };
    }

    private static Charset charsetOf(MediaType type) throws MalformedBodyException {
        String name = type.parameter("charset");
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "utf-8", "utf8" -> StandardCharsets.UTF_8;
            case "us-ascii", "ascii" -> StandardCharsets.US_ASCII;
            case "iso-8859-1", "latin1" -> StandardCharsets.ISO_8859_1;
            default -> throw new MalformedBodyException("unsupported charset");
        };
    }

    static Map<String, List<String>> parseUrlEncoded(byte[] body, Charset charset) throws MalformedBodyException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        int count = 0;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end < 0) {
                end = body.length;
            }
            if (end > start) {
                if (++count > MAX_FIELDS) {
                    throw new MalformedBodyException("too many fields");
                }
                int eq = indexOf(body, (byte) '=', start, end);
                String name = decode(body, start, eq < 0 ? end : eq, charset);
                String value = eq < 0 ? "" : decode(body, eq + 1, end, charset);
                fields.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return freeze(fields);
    }

    private static String decode(byte[] body, int from, int to, Charset charset) throws MalformedBodyException {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out[n++] = ' ';
            } else if (b == '%') {
                if (i + 2 >= to) {
                    throw new MalformedBodyException("truncated percent escape");
                }
                int hi = Character.digit(body[i + 1], 16);
                int lo = Character.digit(body[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new MalformedBodyException("invalid percent escape");
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        return strictDecode(out, 0, n, charset);
    }

    static String strictDecode(byte[] bytes, int offset, int length, Charset charset) throws MalformedBodyException {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedBodyException("invalid " + charset.name() + " text");
        }
    }

    static int indexOf(byte[] data, byte b, int from) {
        return indexOf(data, b, from, data.length);
    }

    static int indexOf(byte[] data, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    static Map<String, List<String>> freeze(Map<String, List<String>> fields) {
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        fields.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(frozen);
    }
}
