package io.cdpaccess.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends hand-made HTTP/1.1 requests over a plain socket: any method, header, encoding or body,
 * from any loopback source address (127.0.0.0/8 all reach the server, which lets tests play a
 * proxy, a stranger or a locked-out address). Responses are read to the end of the connection.
 */
public final class RawHttp {

    /** A parsed response; {@code status} is -1 when the server sent nothing parseable. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Thrown when no complete response arrived in time: the service hung. */
    public static final class Hang extends IOException {
        Hang(String message) {
            super(message);
        }
    }

    private RawHttp() {}

    /** Builds {@code METHOD target HTTP/1.1} with Host, Content-Length and Connection: close added. */
    public static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: 127.0.0.1\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        if (!headers.keySet().stream()
                .anyMatch(k -> k.equalsIgnoreCase("Transfer-Encoding") || k.equalsIgnoreCase("Content-Length"))) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** Sends raw bytes from {@code source} (null: any) to the server and reads the response. */
    public static Response send(InetAddress source, InetAddress server, int port, byte[] raw, int timeoutMs)
            throws IOException {
        try (Socket socket = new Socket()) {
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.connect(new InetSocketAddress(server, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(raw);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException serverClosedEarly) {
                // The server may answer (413, 400) and close before reading everything: read what it said.
            }
            byte[] response;
            try {
                response = readAll(socket.getInputStream());
            } catch (SocketTimeoutException e) {
                throw new Hang("no complete response within " + timeoutMs + " ms");
            }
            return parse(response);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // connection reset after the response: keep what arrived
        }
        return out.toByteArray();
    }

    static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || headEnd < 0) {
            return new Response(-1, Map.of(), text);
        }
        String[] lines = text.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        byte[] bodyBytes = java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            bodyBytes = dechunk(bodyBytes);
        }
        return new Response(status, headers, new String(bodyBytes, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = new String(body, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < s.length()) {
            int lineEnd = s.indexOf("\r\n", pos);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(s.substring(pos, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }
}
