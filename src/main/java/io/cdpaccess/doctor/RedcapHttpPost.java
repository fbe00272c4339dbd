package io.cdpaccess.doctor;

import io.cdpaccess.time.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A POST made the way REDCap's {@code http_post} makes it with PHP cURL, on raw sockets so that
 * nothing is added or hidden: HTTP/1.1, a fresh connection (and full TLS handshake) per request,
 * {@code application/x-www-form-urlencoded}, HTTP Basic from the URL's {@code user:pass@},
 * no {@code User-Agent}, no {@code Expect}; the chain not verified but the host name checked
 * ({@link LeafAnchoredTrustManager}); a connect timeout of 30 s; and redirects followed as
 * {@code CURLOPT_FOLLOWLOCATION} does (at most 10; 301/302/303 re-sent as a bodyless GET, 307/308
 * as they were; a {@code Referer} each time; Basic only to the same scheme, host and port).
 * Every hop is kept, because what a redirect does to the call is what an administrator must see.
 */
final class RedcapHttpPost {

    static final int MAX_REDIRECTS = 10;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_LINE = 16 * 1024;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final Ticker ticker;

    RedcapHttpPost(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * POSTs {@code form} (already encoded; empty for the Test button) and follows redirects, all
     * within {@code total}.
     */
    Call post(ServiceUrl url, String form, Duration total) {
        long start = ticker.nanos();
        long deadline = start + total.toNanos();
        List<Hop> hops = new ArrayList<>();
        ServiceUrl current = url;
        String method = "POST";
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        Optional<String> referer = Optional.empty();
        for (int redirects = 0; ; redirects++) {
            Optional<String> credentials = current.sameOrigin(url) ? url.basicCredentials() : Optional.empty();
            Hop hop;
            try {
                hop = exchange(current, method, body, referer, credentials, deadline);
            } catch (HopFailure f) {
                return new Call(hops, Optional.of(f.failure), millisSince(start));
            }
            hops.add(hop);
            if (!hop.isRedirect()) {
                return new Call(hops, Optional.empty(), millisSince(start));
            }
            String location = hop.header("location").orElseThrow();
            if (redirects == MAX_REDIRECTS) {
                return new Call(
                        hops,
                        Optional.of(new CallFailure(
                                CallFailure.Kind.TOO_MANY_REDIRECTS,
                                current,
                                "more than " + MAX_REDIRECTS + " redirects",
                                Optional.empty())),
                        millisSince(start));
            }
            ServiceUrl next;
            try {
                next = current.resolve(location);
            } catch (URISyntaxException | IllegalArgumentException e) {
                return new Call(
                        hops,
                        Optional.of(new CallFailure(
                                CallFailure.Kind.BAD_REDIRECT,
                                current,
                                "cannot follow Location " + ServiceUrl.mask(location) + ": " + e.getMessage(),
                                Optional.empty())),
                        millisSince(start));
            }
            referer = Optional.of(current.referer());
            if (hop.dropsBody()) {
                method = "GET";
                body = null;
            }
            current = next;
        }
    }

    private long millisSince(long start) {
        return Duration.ofNanos(ticker.nanos() - start).toMillis();
    }

    private Hop exchange(
            ServiceUrl url,
            String method,
            byte[] body,
            Optional<String> referer,
            Optional<String> credentials,
            long deadline)
            throws HopFailure {
        long start = ticker.nanos();
        LeafAnchoredTrustManager trust = new LeafAnchoredTrustManager();
        try (Socket socket = connect(url, deadline, trust)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(url, method, body, referer, credentials));
            out.flush();
            Response response = Response.read(new DeadlineInput(socket, deadline), method);
            return new Hop(
                    url,
                    method,
                    body != null,
                    credentials.isPresent(),
                    response.status,
                    response.headers,
                    response.body,
                    trust.presented(),
                    Duration.ofNanos(ticker.nanos() - start).toMillis());
        } catch (NotHttp e) {
            if (!url.https() && (e.firstByte == 0x15 || e.firstByte == 0x16 || speaksTls(url))) {
                throw new HopFailure(CallFailure.Kind.PLAIN_HTTP_TO_HTTPS_PORT, url, e.getMessage());
            }
            throw new HopFailure(CallFailure.Kind.NO_ANSWER, url, e.getMessage());
        } catch (SocketTimeoutException e) {
            throw new HopFailure(CallFailure.Kind.ANSWER_TIMEOUT, url, "no answer in time");
        } catch (SSLException e) {
            throw new HopFailure(CallFailure.Kind.TLS_HANDSHAKE, url, e.getMessage());
        } catch (NumberFormatException e) {
            throw new HopFailure(CallFailure.Kind.NO_ANSWER, url, "a malformed answer: " + e.getMessage());
        } catch (IOException e) {
            if (!url.https() && speaksTls(url)) {
                throw new HopFailure(CallFailure.Kind.PLAIN_HTTP_TO_HTTPS_PORT, url, e.getMessage());
            }
            throw new HopFailure(CallFailure.Kind.NO_ANSWER, url, String.valueOf(e.getMessage()));
        }
    }

    private Socket connect(ServiceUrl url, long deadline, LeafAnchoredTrustManager trust) throws HopFailure {
        InetSocketAddress address = new InetSocketAddress(url.host(), url.port());
        if (address.isUnresolved()) {
            throw new HopFailure(CallFailure.Kind.UNKNOWN_HOST, url, "cannot resolve " + url.host());
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, timeoutMillis(Math.min(deadline, ticker.nanos() + CONNECT_TIMEOUT.toNanos())));
        } catch (ConnectException e) {
            close(socket);
            throw new HopFailure(CallFailure.Kind.REFUSED, url, String.valueOf(e.getMessage()));
        } catch (SocketTimeoutException e) {
            close(socket);
            throw new HopFailure(CallFailure.Kind.CONNECT_TIMEOUT, url, "no connection in time");
        } catch (IOException e) {
            close(socket);
            throw new HopFailure(CallFailure.Kind.OTHER, url, String.valueOf(e.getMessage()));
        }
        if (!url.https()) {
            return socket;
        }
        try {
            SSLSocket tls = handshake(socket, url, trust, timeoutMillis(deadline));
            return tls;
        } catch (SocketTimeoutException e) {
            close(socket);
            throw new HopFailure(CallFailure.Kind.ANSWER_TIMEOUT, url, "no TLS handshake in time");
        } catch (IOException e) {
            close(socket);
            if (trust.refusal().isPresent()) {
                throw new HopFailure(new CallFailure(
                        CallFailure.Kind.HOST_NAME_NOT_IN_CERTIFICATE,
                        url,
                        trust.refusal().get(),
                        trust.presented()));
            }
            if (trust.presented().isEmpty() && speaksPlainHttp(url)) {
                throw new HopFailure(CallFailure.Kind.HTTPS_TO_PLAIN_HTTP_PORT, url, String.valueOf(e.getMessage()));
            }
            throw new HopFailure(new CallFailure(
                    CallFailure.Kind.TLS_HANDSHAKE, url, String.valueOf(e.getMessage()), trust.presented()));
        }
    }

    private static SSLSocket handshake(Socket socket, ServiceUrl url, LeafAnchoredTrustManager trust, int timeout)
            throws IOException {
        SSLContext context;
        try {
            // A context per connection: no session is resumed, so every call is a full handshake, as with
            // CURLOPT_FRESH_CONNECT, and the certificate is seen each time.
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            throw new SSLException("no TLS in this JDK: " + e.getMessage(), e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, url.host(), url.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(url.host())) {
            parameters.setServerNames(List.of(new SNIHostName(url.host())));
        }
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(timeout);
        tls.startHandshake();
        return tls;
    }

    /** Whether the port answers a TLS handshake: then plain HTTP was spoken to an HTTPS port. */
    private boolean speaksTls(ServiceUrl url) {
        long deadline = ticker.nanos() + PROBE_TIMEOUT.toNanos();
        LeafAnchoredTrustManager trust = new LeafAnchoredTrustManager();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.host(), url.port()), timeoutMillis(deadline));
            handshake(socket, url, trust, timeoutMillis(deadline)).close();
            return true;
        } catch (IOException e) {
            return trust.presented().isPresent();
        }
    }

    /** Whether the port answers plain HTTP: then TLS was spoken to a plain HTTP port. */
    private boolean speaksPlainHttp(ServiceUrl url) {
        long deadline = ticker.nanos() + PROBE_TIMEOUT.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.host(), url.port()), timeoutMillis(deadline));
            socket.getOutputStream()
                    .write(("HEAD / HTTP/1.1\r\nHost: " + url.hostHeader() + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] start = new DeadlineInput(socket, deadline).readUpTo(5);
            return new String(start, StandardCharsets.US_ASCII).equals("HTTP/");
        } catch (IOException e) {
            return false;
        }
    }

    private int timeoutMillis(long deadline) throws SocketTimeoutException {
        long left = Duration.ofNanos(deadline - ticker.nanos()).toMillis();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** The request bytes, headers in cURL's order. */
    private static byte[] request(
            ServiceUrl url, String method, byte[] body, Optional<String> referer, Optional<String> credentials) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(url.requestTarget()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(url.hostHeader()).append("\r\n");
        credentials.ifPresent(c -> head.append("Authorization: Basic ")
                .append(Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8)))
                .append("\r\n"));
        head.append("Accept: */*\r\n");
        referer.ifPresent(r -> head.append("Referer: ").append(r).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            bytes.writeBytes(body);
        }
        return bytes.toByteArray();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket that failed to connect: nothing left to release.
        }
    }

    /** A hop that got no answer, carrying the failure to report. */
    private static final class HopFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient CallFailure failure;

        HopFailure(CallFailure failure) {
            super(failure.detail(), null, false, false);
            this.failure = failure;
        }

        HopFailure(CallFailure.Kind kind, ServiceUrl url, String detail) {
            this(new CallFailure(kind, url, detail, Optional.empty()));
        }
    }

    /** The answer did not start like HTTP. */
    private static final class NotHttp extends IOException {
        private static final long serialVersionUID = 1L;
        private final int firstByte;

        NotHttp(String message, int firstByte) {
            super(message);
            this.firstByte = firstByte;
        }
    }

    /** Reads a socket with every read bounded by one deadline. */
    private final class DeadlineInput {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        int read() throws IOException {
            socket.setSoTimeout(timeoutMillis(deadline));
            return in.read();
        }

        byte[] readUpTo(int n) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < n) {
                int b = read();
                if (b < 0) {
                    break;
                }
                out.write(b);
            }
            return out.toByteArray();
        }

        /** A line without its CRLF, or null at end of stream before any byte. */
        String line() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b;
            while ((b = read()) >= 0) {
                if (b == '\n') {
                    break;
                }
                if (out.size() > MAX_LINE) {
                    throw new IOException("a header line longer than " + MAX_LINE + " bytes");
                }
                out.write(b);
            }
            if (b < 0 && out.size() == 0) {
                return null;
            }
            String s = out.toString(StandardCharsets.ISO_8859_1);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** An HTTP/1.1 answer: status, headers, body (by Content-Length, chunked, or to the end). */
    private record Response(int status, Map<String, List<String>> headers, String body) {

        static Response read(DeadlineInput in, String method) throws IOException {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    throw new NotHttp("the server closed the connection without an answer", -1);
                }
                String rest = in.line();
                String statusLine = (char) first + (rest == null ? "" : rest);
                if (!statusLine.startsWith("HTTP/") || statusLine.length() < 12) {
                    throw new NotHttp("the answer is not HTTP", first);
                }
                int status;
                try {
                    status = Integer.parseInt(statusLine.substring(9, 12));
                } catch (NumberFormatException e) {
                    throw new NotHttp("no status in the answer: " + statusLine, first);
                }
                Map<String, List<String>> headers = new LinkedHashMap<>();
                String line;
                while ((line = in.line()) != null && !line.isEmpty()) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.computeIfAbsent(
                                        line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                        k -> new ArrayList<>())
                                .add(line.substring(colon + 1).strip());
                    }
                }
                if (status >= 100 && status < 200) {
                    continue; // an interim answer; the real one follows
                }
                Map<String, List<String>> immutable = new LinkedHashMap<>();
                headers.forEach((k, v) -> immutable.put(k, List.copyOf(v)));
                return new Response(status, immutable, body(in, method, status, headers));
            }
        }

        private static String body(DeadlineInput in, String method, int status, Map<String, List<String>> headers)
                throws IOException {
            if (method.equals("HEAD") || status == 204 || status == 304) {
                return "";
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
            List<String> length = headers.getOrDefault("content-length", List.of());
            if (encoding.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).contains("chunked"))) {
                while (out.size() < MAX_BODY) {
                    String size = in.line();
                    if (size == null) {
                        break;
                    }
                    int semicolon = size.indexOf(';');
                    int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                    if (n == 0) {
                        break;
                    }
                    copy(in, out, n);
                    in.line();
                }
            } else if (!length.isEmpty()) {
                copy(in, out, Math.min(MAX_BODY, Integer.parseInt(length.get(0).strip())));
            } else {
                copy(in, out, MAX_BODY);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        private static void copy(DeadlineInput in, ByteArrayOutputStream out, int n) throws IOException {
            for (int i = 0; i < n && out.size() < MAX_BODY; i++) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                out.write(b);
            }
        }
    }
}
