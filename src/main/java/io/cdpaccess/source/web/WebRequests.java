package io.cdpaccess.source.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cdpaccess.config.WebUrl;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lookup's URL and body from the templates: every value is encoded for where it stands, so no
 * username, project or IRB number can change which resource is asked for. In the URL each value
 * is percent-encoded as RFC 3986's unreserved characters alone stay as they are ({@code /},
 * {@code ?}, {@code #}, {@code &}, {@code =}, {@code %}, {@code +} and spaces all become
 * {@code %XX}, UTF-8); a path segment that would come out as {@code .} or {@code ..} (or empty)
 * is refused rather than sent. In a JSON body each value is put into its string by Jackson,
 * escaped as JSON.
 */
final class WebRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private WebRequests() {}

    /** The placeholders' values for {@code key}; {@code irb_number} only when the key has one. */
    static Map<String, String> values(SourceKey key) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("user", key.user());
        v.put("redcap_user", key.redcapUser());
        v.put("project_id", Long.toString(key.projectId()));
        v.put("instance", key.instance());
        key.irbNumber().ifPresent(irb -> v.put("irb_number", irb));
        return v;
    }

    /** The URL for these values. */
    static URI uri(WebUrl url, Map<String, String> values) throws SourceException {
        StringBuilder out = new StringBuilder();
        for (WebUrl.Part part : url.parts()) {
            if (part instanceof WebUrl.Placeholder p) {
                out.append(encoded(value(values, p.name())));
            } else if (part instanceof WebUrl.Literal l) {
                out.append(l.text());
            }
        }
        String text = out.toString();
        int afterScheme = text.indexOf("://") + 3;
        int pathStart = text.indexOf('/', afterScheme);
        int query = text.indexOf('?');
        if (pathStart >= 0 && (query < 0 || pathStart < query)) {
            String path = text.substring(pathStart, query < 0 ? text.length() : query);
            String template = templatePath(url);
            String[] segments = path.split("/", -1);
            String[] written = template.split("/", -1);
            for (int i = 1; i < segments.length; i++) {
                String s = segments[i];
                boolean filled = i >= written.length || !written[i].equals(s);
                if (filled && (s.equals(".") || s.equals("..") || s.isEmpty())) {
                    throw new SourceException("the key cannot be asked: it would make the URL's path segment '" + s
                            + "', which names another resource");
                }
            }
        }
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new SourceException("the URL for this key does not parse: " + e.getReason(), e);
        }
    }

    /** The template's path as written, placeholders left in, to tell written segments from filled ones. */
    private static String templatePath(WebUrl url) {
        String t = url.template();
        int afterScheme = t.indexOf("://") + 3;
        int slash = t.indexOf('/', afterScheme);
        int query = t.indexOf('?');
        return slash < 0 || (query >= 0 && query < slash) ? "" : t.substring(slash, query < 0 ? t.length() : query);
    }

    private static String value(Map<String, String> values, String name) throws SourceException {
        String v = values.get(name);
        if (v == null) {
            throw new SourceException("no {" + name + "} to ask with");
        }
        return v;
    }

    /** Percent-encodes all but RFC 3986's unreserved characters, as UTF-8. */
    static String encoded(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The body template (checked to be JSON when the configuration loaded) with the values in its strings. */
    static byte[] body(Optional<String> template, Map<String, String> values) throws SourceException {
        if (template.isEmpty()) {
            return new byte[0];
        }
        try {
            JsonNode tree = JSON.readTree(template.get());
            return JSON.writeValueAsBytes(filled(tree, values));
        } catch (IOException e) {
            throw new SourceException("the body template is not JSON", e);
        }
    }

    private static JsonNode filled(JsonNode node, Map<String, String> values) throws SourceException {
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.textValue());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(value(values, m.group(1))));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node instanceof ObjectNode o) {
            ObjectNode copy = JSON.createObjectNode();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                copy.set(e.getKey(), filled(e.getValue(), values));
            }
            return copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = JSON.createArrayNode();
            for (JsonNode item : a) {
                copy.add(filled(item, values));
            }
            return copy;
        }
        return node;
    }
}
