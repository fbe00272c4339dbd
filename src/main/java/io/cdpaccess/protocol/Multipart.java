package io.cdpaccess.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A strict {@code multipart/form-data} reader (RFC 7578) for small bodies of plain fields.
 * File parts are refused: REDCap never sends one, and accepting them would only widen what a
 * hostile caller can make the service do.
 */
final class Multipart {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private Multipart() {}

    static Map<String, List<String>> parse(byte[] body, String boundary) throws MalformedBodyException {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new MalformedBodyException("multipart body without a valid boundary");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos;
        if (startsWith(body, 0, delimiter)) {
            pos = delimiter.length;
        } else {
            int found = indexOf(body, nextDelimiter, 0);
            if (found < 0) {
                throw new MalformedBodyException("multipart boundary not found");
            }
            pos = found + nextDelimiter.length;
        }
        Map<String, List<String>> fields = new LinkedHashMap<>();
        int count = 0;
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return FormBody.freeze(fields); // closing delimiter; the epilogue is ignored
            }
            while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
                pos++; // transport padding allowed after a delimiter
            }
            if (!startsWith(body, pos, CRLF)) {
                throw new MalformedBodyException("malformed multipart delimiter line");
            }
            pos += CRLF.length;
            int headersEnd = indexOf(body, HEADER_END, pos);
            if (headersEnd < 0) {
                throw new MalformedBodyException("multipart part without header end");
            }
            String name = fieldName(new String(body, pos, headersEnd - pos, StandardCharsets.ISO_8859_1));
            int contentStart = headersEnd + HEADER_END.length;
            int contentEnd = indexOf(body, nextDelimiter, contentStart);
            if (contentEnd < 0) {
                throw new MalformedBodyException("multipart part not terminated");
            }
            if (++count > FormBody.MAX_FIELDS) {
                throw new MalformedBodyException("too many fields");
            }
            String value = FormBody.strictDecode(body, contentStart, contentEnd - contentStart, StandardCharsets.UTF_8);
            fields.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            pos = contentEnd + nextDelimiter.length;
        }
    }

    /** Extracts the field name from a part's headers, refusing file parts. */
    private static String fieldName(String headers) throws MalformedBodyException {
        String name = null;
        for (String line : headers.split("\r\n", -1)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedBodyException("malformed multipart header");
            }
            String header = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (!header.equals("content-disposition")) {
                continue;
            }
            MediaType disposition = MediaType.parse(line.substring(colon + 1));
            if (!disposition.essence().equals("form-data")) {
                throw new MalformedBodyException("multipart part is not form-data");
            }
            if (disposition.parameter("filename") != null || disposition.parameter("filename*") != null) {
                throw new MalformedBodyException("file uploads are not accepted");
            }
            name = disposition.parameter("name");
        }
        if (name == null) {
            throw new MalformedBodyException("multipart part without a field name");
        }
        // Header bytes were read as Latin-1; field names are UTF-8 on the wire.
        byte[] raw = name.getBytes(StandardCharsets.ISO_8859_1);
        return FormBody.strictDecode(raw, 0, raw.length, StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        if (offset < 0 || offset + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        for (int i = Math.max(from, 0); i + needle.length <= data.length; i++) {
            if (startsWith(data, i, needle)) {
                return i;
            }
        }
        return -1;
    }
}
