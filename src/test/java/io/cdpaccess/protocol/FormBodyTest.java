package io.cdpaccess.protocol;

import static io.cdpaccess.protocol.FormEncoding.URLENCODED;
import static io.cdpaccess.protocol.FormEncoding.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormBodyTest {

    private static final String BOUNDARY = "------------------------d74496d66958873e";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    @Test
    void readsUrlEncodedFieldsInOrder() throws Exception {
        Map<String, List<String>> f = FormBody.parse(bytes("b=2&a=1&b=3"), URLENCODED);
        assertThat(f).containsExactly(Map.entry("b", List.of("2", "3")), Map.entry("a", List.of("1")));
    }

    @Test
    void plusIsASpaceAndPercent2BIsAPlus() throws Exception {
        Map<String, List<String>> f = FormBody.parse(bytes("user=J+Doe&x=a%2Bb&y=%20"), URLENCODED);
        assertThat(f.get("user")).containsExactly("J Doe");
        assertThat(f.get("x")).containsExactly("a+b");
        assertThat(f.get("y")).containsExactly(" ");
    }

    @Test
    void decodesUtf8() throws Exception {
        Map<String, List<String>> f = FormBody.parse(bytes("user=J%C3%B6rg%F0%9F%98%80"), URLENCODED);
        assertThat(f.get("user")).containsExactly("J\u00f6rg\uD83D\uDE00");
    }

    @Test
    void readsLatin1WhenTheContentTypeSaysSo() throws Exception {
        Map<String, List<String>> f = FormBody.parse(bytes("user=J%F6rg"), URLENCODED + "; charset=ISO-8859-1");
        assertThat(f.get("user")).containsExactly("J\u00f6rg");
    }

    @Test
    void missingContentTypeIsReadAsUrlEncoded() throws Exception {
        assertThat(FormBody.parse(bytes("a=1"), null)).containsEntry("a", List.of("1"));
        assertThat(FormBody.parse(bytes("a=1"), "  ")).containsEntry("a", List.of("1"));
    }

    @Test
    void fieldWithoutEqualsIsEmptyAndEmptyPiecesAreSkipped() throws Exception {
        Map<String, List<String>> f = FormBody.parse(bytes("&&a&b=&&"), URLENCODED);
        assertThat(f).containsExactly(Map.entry("a", List.of("")), Map.entry("b", List.of("")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%", "a=%4", "a=%G1", "a=%1G", "a=%zz", "a=% 1", "%=1", "a%2=1", "a=1%"})
    void refusesMalformedPercentEscapes(String body) {
        assertThatThrownBy(() -> FormBody.parse(bytes(body), URLENCODED))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("percent escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%FF", "a=%C3%28", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%E2%82", "%FF=1"})
    void refusesInvalidUtf8(String body) {
        assertThatThrownBy(() -> FormBody.parse(bytes(body), URLENCODED))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("invalid UTF-8");
    }

    @Test
    void refusesRawNonUtf8Bytes() {
        byte[] body = {'a', '=', (byte) 0xE9};
        assertThatThrownBy(() -> FormBody.parse(body, URLENCODED)).isInstanceOf(MalformedBodyException.class);
    }

    @Test
    void refusesTooManyFields() {
        String body = "a=1&".repeat(FormBody.MAX_FIELDS + 1);
        assertThatThrownBy(() -> FormBody.parse(bytes(body), URLENCODED)).hasMessageContaining("too many fields");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "text/plain",
                "application/xml",
                "multipart/mixed; boundary=x",
                "application/octet-stream",
                "text/html; charset=utf-8",
                "garbage"
            })
    void refusesOtherContentTypes(String contentType) {
        assertThatThrownBy(() -> FormBody.parse(bytes("a=1"), contentType))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("unsupported content type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"utf-16", "EBCDIC", "shift_jis"})
    void refusesOtherCharsets(String charset) {
        assertThatThrownBy(() -> FormBody.parse(bytes("a=1"), URLENCODED + "; charset=" + charset))
                .hasMessageContaining("unsupported charset");
    }

    @Test
    void contentTypeIsCaseInsensitiveAndSpacingTolerant() throws Exception {
        assertThat(FormBody.parse(bytes("a=1"), " Application/X-WWW-Form-URLEncoded ;  Charset=\"UTF-8\" "))
                .containsEntry("a", List.of("1"));
    }

    // ---- multipart/form-data ----

    private static String curlMultipart(String... namesAndValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.append("--")
                    .append(BOUNDARY)
                    .append("\r\n")
                    .append("Content-Disposition: form-data; name=\"")
                    .append(namesAndValues[i])
                    .append("\"\r\n")
                    .append("\r\n")
                    .append(namesAndValues[i + 1])
                    .append("\r\n");
        }
        return b.append("--").append(BOUNDARY).append("--\r\n").toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsMultipartAsCurlSendsIt() throws Exception {
        byte[] body =
                utf8(curlMultipart("user", "jdoe", "project_id", "42", "redcap_url", "https://redcap.example.edu/"));
        assertThat(FormBody.parse(body, MULTIPART))
                .containsExactly(
                        Map.entry("user", List.of("jdoe")),
                        Map.entry("project_id", List.of("42")),
                        Map.entry("redcap_url", List.of("https://redcap.example.edu/")));
    }

    @Test
    void multipartValuesAreRawUtf8WithoutUrlDecoding() throws Exception {
        byte[] body = utf8(curlMultipart("user", "J+D%41 \u00f6\r\nline2"));
        assertThat(FormBody.parse(body, MULTIPART).get("user")).containsExactly("J+D%41 \u00f6\r\nline2");
    }

    @Test
    void readsAQuotedBoundary() throws Exception {
        String boundary = "simple boundary:'()+_,-./=?";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"user\"\r\n\r\njdoe\r\n"
                + "--" + boundary + "--\r\n";
        assertThat(FormBody.parse(utf8(body), "multipart/form-data; boundary=\"" + boundary + "\""))
                .containsEntry("user", List.of("jdoe"));
    }

    @Test
    void ignoresPreambleEpilogueAndOtherPartHeaders() throws Exception {
        String body = "This is a preamble.\r\n"
                + "--" + BOUNDARY + "  \r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "content-disposition: form-data; name=user\r\n\r\njdoe\r\n"
                + "--" + BOUNDARY + "--\r\nepilogue";
        assertThat(FormBody.parse(utf8(body), MULTIPART)).containsExactly(Map.entry("user", List.of("jdoe")));
    }

    @Test
    void readsEmptyMultipartValues() throws Exception {
        assertThat(FormBody.parse(utf8(curlMultipart("user", "")), MULTIPART)).containsEntry("user", List.of(""));
    }

    @Test
    void refusesFileParts() {
        String body = "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"user\"; filename=\"user.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\njdoe\r\n"
                + "--" + BOUNDARY + "--\r\n";
        assertThatThrownBy(() -> FormBody.parse(utf8(body), MULTIPART)).hasMessageContaining("file uploads");
        String empty = body.replace("filename=\"user.txt\"", "filename=\"\"");
        assertThatThrownBy(() -> FormBody.parse(utf8(empty), MULTIPART)).hasMessageContaining("file uploads");
        String star = body.replace("filename=\"user.txt\"", "filename*=UTF-8''user.txt");
        assertThatThrownBy(() -> FormBody.parse(utf8(star), MULTIPART)).hasMessageContaining("file uploads");
    }

    @Test
    void refusesMultipartWithoutBoundary() {
        byte[] body = utf8(curlMultipart("user", "jdoe"));
        assertThatThrownBy(() -> FormBody.parse(body, "multipart/form-data")).hasMessageContaining("boundary");
        assertThatThrownBy(() -> FormBody.parse(body, "multipart/form-data; boundary="))
                .hasMessageContaining("boundary");
        assertThatThrownBy(() -> FormBody.parse(body, "multipart/form-data; boundary=" + "x".repeat(71)))
                .hasMessageContaining("boundary");
        assertThatThrownBy(() -> FormBody.parse(body, "multipart/form-data; boundary=other"))
                .hasMessageContaining("boundary not found");
    }

    @Test
    void refusesUnterminatedMultipart() {
        String full = curlMultipart("user", "jdoe");
        String noClose = full.substring(0, full.indexOf("--" + BOUNDARY + "--"));
        assertThatThrownBy(() -> FormBody.parse(utf8(noClose), MULTIPART)).isInstanceOf(MalformedBodyException.class);
        String noHeaderEnd = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"user\"\r\n";
        assertThatThrownBy(() -> FormBody.parse(utf8(noHeaderEnd), MULTIPART))
                .isInstanceOf(MalformedBodyException.class);
        String lfOnly = full.replace("\r\n", "\n");
        assertThatThrownBy(() -> FormBody.parse(utf8(lfOnly), MULTIPART)).isInstanceOf(MalformedBodyException.class);
    }

    @Test
    void refusesPartsThatAreNotPlainFormFields() {
        String noName = "--" + BOUNDARY + "\r\nContent-Disposition: form-data\r\n\r\njdoe\r\n--" + BOUNDARY + "--\r\n";
        assertThatThrownBy(() -> FormBody.parse(utf8(noName), MULTIPART)).hasMessageContaining("field name");
        String attachment = noName.replace("form-data", "attachment; name=\"user\"");
        assertThatThrownBy(() -> FormBody.parse(utf8(attachment), MULTIPART)).hasMessageContaining("not form-data");
        String badHeader = noName.replace("Content-Disposition: form-data", "no colon here");
        assertThatThrownBy(() -> FormBody.parse(utf8(badHeader), MULTIPART)).hasMessageContaining("header");
    }

    @Test
    void refusesInvalidUtf8InMultipartValues() {
        byte[] head = utf8("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n");
        byte[] tail = utf8("\r\n--" + BOUNDARY + "--\r\n");
        byte[] body = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xFF;
        System.arraycopy(tail, 0, body, head.length + 1, tail.length);
        assertThatThrownBy(() -> FormBody.parse(body, MULTIPART)).hasMessageContaining("invalid UTF-8");
    }

    @Test
    void refusesTooManyMultipartFields() {
        String[] pairs = new String[2 * (FormBody.MAX_FIELDS + 1)];
        for (int i = 0; i < pairs.length; i += 2) {
            pairs[i] = "f" + i;
            pairs[i + 1] = "v";
        }
        assertThatThrownBy(() -> FormBody.parse(utf8(curlMultipart(pairs)), MULTIPART))
                .hasMessageContaining("too many fields");
    }

    @Test
    void malformedBodyMessagesNeverQuoteTheBody() {
        String secretLooking = "user=s3cr3t-value%ZZ";
        assertThatThrownBy(() -> FormBody.parse(bytes(secretLooking), URLENCODED))
                .message()
                .doesNotContain("s3cr3t");
    }
}
