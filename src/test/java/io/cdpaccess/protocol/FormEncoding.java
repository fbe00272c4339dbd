package io.cdpaccess.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Encoders that produce request bodies the way REDCap's PHP does, for the parser tests. */
final class FormEncoding {

    static final String URLENCODED = "application/x-www-form-urlencoded";

    private FormEncoding() {}

    /**
     * PHP's {@code urlencode} (what {@code http_build_query} uses by default, RFC 1738 style):
     * spaces become {@code +}, every byte of the UTF-8 text other than {@code [A-Za-z0-9_.-]} is
     * percent-encoded.
     */
    static String phpUrlencode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '.'
                    || c == '-') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** {@code http_build_query} of name/value pairs, in order (a name may repeat). */
    static byte[] httpBuildQuery(List<Map.Entry<String, String>> fields) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> f : fields) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(phpUrlencode(f.getKey())).append('=').append(phpUrlencode(f.getValue()));
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] httpBuildQuery(String... namesAndValues) {
        return httpBuildQuery(pairs(namesAndValues));
    }

    /** A {@code multipart/form-data} body as cURL writes it: CRLF line ends, closing delimiter. */
    static byte[] multipart(String boundary, List<Map.Entry<String, String>> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields) {
            write(out, "--" + boundary + "\r\n");
            write(out, "Content-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n");
            write(out, f.getValue());
            write(out, "\r\n");
        }
        write(out, "--" + boundary + "--\r\n");
        return out.toByteArray();
    }

    static List<Map.Entry<String, String>> pairs(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must pair up");
        }
        java.util.ArrayList<Map.Entry<String, String>> list = new java.util.ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return list;
    }

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
