package io.cdpaccess.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Calls the service exactly as REDCap's PHP does (see shared/REDCAP.md): a POST whose body is
 * {@code http_build_query} of {@code user}, {@code project_id}, {@code redcap_url}; credentials
 * only from the URL ({@code ?secret=} or {@code user:pass@host}, which cURL sends as Basic);
 * certificates not verified; 404, 407, any status ≥ 500 and connection errors are failures; the
 * stored value is {@code 1} only when the call did not fail and {@code trim(body) === '1'}.
 */
public final class RedcapClient {

    /** One HTTP exchange as REDCap's cURL wrapper sees it. */
    public record Response(int status, String body, Map<String, List<String>> headers, boolean failed) {

        /** What REDCap stores in the user's session for this project. */
        public String redcapValue() {
            return !failed && phpTrim(body).equals("1") ? "1" : "0";
        }

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** The user-access call; returns what REDCap would store ("1" or "0"). */
    public String userAccess(String serviceUrl, String user, long projectId, String redcapUrl) {
        return call(serviceUrl, user, Long.toString(projectId), redcapUrl).redcapValue();
    }

    /** The user-access call, returning the whole response. */
    public Response call(String serviceUrl, String user, String projectId, String redcapUrl) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user", user);
        fields.put("project_id", projectId);
        fields.put("redcap_url", redcapUrl);
        return post(serviceUrl, httpBuildQuery(fields), "application/x-www-form-urlencoded");
    }

    /** The Control Center's "Test" button: a POST with an empty body. */
    public Response testButton(String serviceUrl) {
        return post(serviceUrl, "", "application/x-www-form-urlencoded");
    }

    /** A POST with any body and content type (null: no Content-Type header). */
    public Response post(String serviceUrl, String body, String contentType) {
        return send("POST", serviceUrl, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    /**
     * Any method; for checking what REDCap would make of a misconfiguration. Redirects are followed
     * as cURL follows them for REDCap ({@code CURLOPT_FOLLOWLOCATION}, {@code CURLOPT_AUTOREFERER},
     * at most 10): a 301, 302 or 303 turns the request into a GET without body or content type, a
     * 307 or 308 keeps both; each hop after the first carries a {@code Referer} (the previous URL
     * without credentials), and Basic credentials are not sent to another host or port.
     */
    public Response send(String method, String serviceUrl, byte[] body, String contentType) {
        String target = serviceUrl;
        String referer = null;
        String credentialsFor = null;
        String basic = null;
        for (int hop = 0; hop <= 10; hop++) {
            try {
                // cURL turns user:password@host into HTTP Basic and strips it from the request line.
                int schemeEnd = target.indexOf("://") + 3;
                int pathStart = target.indexOf('/', schemeEnd) < 0 ? target.length() : target.indexOf('/', schemeEnd);
                int at = target.lastIndexOf('@', pathStart);
                if (at >= schemeEnd) {
                    basic = "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(decodeUserInfo(target.substring(schemeEnd, at))
                                            .getBytes(StandardCharsets.UTF_8));
                    target = target.substring(0, schemeEnd) + target.substring(at + 1);
                }
                URL url = URI.create(target).toURL();
                String origin = url.getHost() + ":" + url.getPort();
                if (credentialsFor == null) {
                    credentialsFor = origin;
                }
                HttpURLConnection c = (HttpURLConnection) url.openConnection();
                if (c instanceof HttpsURLConnection https) {
                    https.setSSLSocketFactory(TRUST_ALL.getSocketFactory()); // CURLOPT_SSL_VERIFYPEER off
                    https.setHostnameVerifier((h, sess) -> true);
                }
                c.setRequestMethod(method);
                c.setConnectTimeout(30_000); // CURLOPT_CONNECTTIMEOUT
                c.setReadTimeout(20_000); // REDCap has none; a test must not hang forever
                c.setInstanceFollowRedirects(false); // followed below, as cURL does
                c.setUseCaches(false);
                if (basic != null && origin.equals(credentialsFor)) {
                    c.setRequestProperty("Authorization", basic);
                }
                if (referer != null) {
                    c.setRequestProperty("Referer", referer);
                }
                if (contentType != null) {
                    c.setRequestProperty("Content-Type", contentType);
                }
                if (method.equals("POST") || body.length > 0) {
                    c.setDoOutput(true);
                    c.setFixedLengthStreamingMode(body.length);
                    try (OutputStream out = c.getOutputStream()) {
                        out.write(body);
                    }
                }
                int status = c.getResponseCode();
                String location = c.getHeaderField("Location");
                if (location != null
                        && (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
                    readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
                    referer = target;
                    target = url.toURI().resolve(location).toString();
                    if (status <= 303) {
                        method = "GET";
                        body = new byte[0];
                        contentType = null;
                    }
                    continue;
                }
                InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                String text = in == null ? "" : new String(readAll(in), StandardCharsets.UTF_8);
                boolean failed = status == 404 || status == 407 || status >= 500;
                return new Response(status, text, c.getHeaderFields(), failed);
            } catch (IOException | IllegalArgumentException | java.net.URISyntaxException e) {
                return new Response(-1, "", Map.of(), true);
            }
        }
        return new Response(-1, "", Map.of(), true); // too many redirects: cURL fails the call
    }

    /** PHP's {@code http_build_query} with {@code urlencode} (RFC 1738: space as '+'). */
    public static String httpBuildQuery(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(phpUrlencode(e.getKey())).append('=').append(phpUrlencode(e.getValue()));
        }
        return sb.toString();
    }

    /** PHP's {@code urlencode}: alphanumerics and {@code -_.} kept, space as '+', all else %XX of UTF-8. */
    public static String phpUrlencode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** PHP's {@code trim}: strips " \t\n\r\0\x0B" from both ends. */
    public static String phpTrim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && " \t\n\r\0\u000B".indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && " \t\n\r\0\u000B".indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String decodeUserInfo(String raw) {
        return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static final SSLContext TRUST_ALL = trustAll();

    /** TLS as REDCap's cURL does it ({@code CURLOPT_SSL_VERIFYPEER} off): any certificate is accepted. */
    public static SSLContext trustingAnyCertificate() {
        return TRUST_ALL;
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(
                    null,
                    new TrustManager[] {
                        new X509TrustManager() {
                            @Override
                            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
