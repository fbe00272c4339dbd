package io.cdpaccess.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** The keys of a {@code type: web} source: an HTTP endpoint answering JSON. */
final class WebSection implements SourceKindSection {

    private static final Set<String> KEYS = Set.of(
            "url",
            "method",
            "body",
            "headers",
            "auth",
            "trust_store",
            "trust_store_password",
            "facts",
            "found",
            "max_response_bytes",
            "zone");

    /** Headers the HTTP client sets itself, or that {@code auth:} sets. */
    private static final Set<String> OWN_HEADERS =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding", "authorization");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeReader in;
    private final Path baseDir;
    private final ZoneId serviceZone;

    WebSection(NodeReader in, Path baseDir, ZoneId serviceZone) {
        this.in = in;
        this.baseDir = baseDir;
        this.serviceZone = serviceZone;
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public WebSettings read(Map<String, Node> m, Node item, String path) {
        WebUrl url = in.required(m, item, path, "url", WebUrl::parse);
        WebSettings.Method method =
                in.value(m.get("method"), path + ".method", WebSection::method, WebSettings.Method.GET);
        Optional<String> body =
                Optional.ofNullable(in.value(m.get("body"), path + ".body", WebSection::jsonTemplate, null));
        if (method == WebSettings.Method.POST && body.isEmpty() && !m.containsKey("body")) {
            in.problem(item, path + ".body", "a POST sends a JSON body; write e.g. body: '{\"user\": \"{user}\"}'");
        } else if (method == WebSettings.Method.GET && m.containsKey("body")) {
            in.problem(m.get("body"), path + ".body", "a GET sends no body; set method: POST or leave body out");
        }
        Map<String, Secret> headers = new LinkedHashMap<>();
        Node headerNode = m.get("headers");
        if (headerNode != null) {
            in.mapping(headerNode, path + ".headers", SourceKindSection.keysOf(headerNode))
                    .forEach((name, value) -> {
                        String where = path + ".headers." + name;
                        Secret v = in.value(value, where, Secret::of, null);
                        if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                            in.problem(value, where, "not a header name");
                        } else if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                            in.problem(
                                    value,
                                    where,
                                    "is set by the service itself"
                                            + (name.equalsIgnoreCase("authorization")
                                                    ? "; write auth: {bearer: ${TOKEN}} or auth: {basic: ...}"
                                                    : ""));
                        } else if (v != null) {
                            headers.put(name, v);
                        }
                    });
        }
        WebSettings.Auth auth = auth(m.get("auth"), path + ".auth");
        Optional<Path> trustStore = Optional.ofNullable(in.value(
                m.get("trust_store"), path + ".trust_store", s -> SourceKindSection.readableFile(baseDir, s), null));
        Secret trustPassword =
                in.value(m.get("trust_store_password"), path + ".trust_store_password", Secret::of, Secret.none());
        if (url != null
                && trustStore.isPresent()
                && url.template().toLowerCase(Locale.ROOT).startsWith("http:")) {
            in.problem(m.get("trust_store"), path + ".trust_store", "a trust store is for https:// URLs");
        }
        List<FactField> facts = SourceKindSection.factFields(in, m.get("facts"), path + ".facts", "pointer", null);
        facts.forEach(f -> {
            try {
                pointer(f.from());
            } catch (IllegalArgumentException e) {
                in.problem(
                        pointerNode(m.get("facts"), f.name()),
                        path + ".facts." + f.name() + ".pointer",
                        e.getMessage());
            }
        });
        Optional<String> found =
                Optional.ofNullable(in.value(m.get("found"), path + ".found", WebSection::pointer, null));
        int maxBytes = in.value(
                m.get("max_response_bytes"),
                path + ".max_response_bytes",
                s -> ConfigLoader.intIn(s, 1024, 16 << 20),
                WebSettings.DEFAULT_MAX_RESPONSE_BYTES);
        ZoneId zone = in.value(m.get("zone"), path + ".zone", ConfigLoader::zone, serviceZone);
        if (url == null || method == null || auth == null) {
            return null;
        }
        return new WebSettings(
                url, method, body, headers, auth, trustStore, trustPassword, facts, found, maxBytes, zone);
    }

    private WebSettings.Auth auth(Node node, String path) {
        if (node == null) {
            return new WebSettings.NoAuth();
        }
        Map<String, Node> m = in.mapping(node, path, Set.of("bearer", "basic"));
        if (m.containsKey("bearer") && m.containsKey("basic")) {
            in.problem(node, path, "give one of bearer and basic, not both");
            return null;
        }
        if (m.containsKey("bearer")) {
            Secret token = in.value(m.get("bearer"), path + ".bearer", Secret::of, Secret.none());
            if (token.isEmpty()) {
                // an unset ${IRB_TOKEN:-} must not quietly become a request without credentials
                in.problem(m.get("bearer"), path + ".bearer", "is empty; write bearer: ${IRB_TOKEN}");
                return null;
            }
            return new WebSettings.Bearer(token);
        }
        if (m.containsKey("basic")) {
            Node basic = m.get("basic");
            Map<String, Node> b = in.mapping(basic, path + ".basic", Set.of("user", "password"));
            String user = in.required(b, basic, path + ".basic", "user", WebSection::basicUser);
            Secret password = in.value(b.get("password"), path + ".basic.password", Secret::of, Secret.none());
            if (password.isEmpty()) {
                in.problem(basic, path + ".basic.password", "is required; write password: ${IRB_PASSWORD}");
                return null;
            }
            return user == null ? null : new WebSettings.Basic(user, password);
        }
        in.problem(node, path, "expected {bearer: ${TOKEN}} or {basic: {user: ..., password: ${PASSWORD}}}");
        return null;
    }

    private static String basicUser(String text) {
        if (text.isEmpty() || text.contains(":")) {
            throw new IllegalArgumentException("a Basic user name is not empty and has no ':'");
        }
        return text;
    }

    private static WebSettings.Method method(String text) {
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "GET" -> WebSettings.Method.GET;
            case "POST" -> WebSettings.Method.POST;
            default -> throw new IllegalArgumentException("expected GET or POST");
        };
    }

    /** A JSON Pointer (RFC 6901): empty for the whole document, else {@code /} then the path. */
    static String pointer(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a JSON Pointer starts with /, as in /data/approved");
        }
        if (text.matches(".*~([^01].*|$)")) {
            throw new IllegalArgumentException("in a JSON Pointer ~ is written ~0 and / inside a name ~1");
        }
        JsonPointer.compile(text); // what the source will use: refuses what it could not follow
        return text;
    }

    /** A JSON document whose strings may hold placeholders; one outside a string does not parse. */
    private static String jsonTemplate(String text) {
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "not JSON (placeholders go inside strings: {\"user\": \"{user}\"}): "
                            + e.getOriginalMessage().lines().findFirst().orElse(""),
                    e);
        }
        if (tree == null || !tree.isContainerNode()) {
            throw new IllegalArgumentException("expected a JSON object, e.g. {\"user\": \"{user}\"}");
        }
        checkStrings(tree);
        return text;
    }

    private static void checkStrings(JsonNode node) {
        if (node.isTextual()) {
            WebUrl.placeholdersIn(node.textValue());
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!WebUrl.placeholdersIn(e.getKey()).isEmpty()) {
                throw new IllegalArgumentException("placeholders go in values, not in names: " + e.getKey());
            }
            checkStrings(e.getValue());
        }
        if (node.isArray()) {
            node.forEach(WebSection::checkStrings);
        }
    }

    /** The node of {@code facts.<name>.pointer} (or of the fact), for a problem on its own line. */
    private static Node pointerNode(Node facts, String name) {
        Node fact = child(facts, name);
        Node pointer = child(fact, "pointer");
        return pointer != null ? pointer : fact != null ? fact : facts;
    }

    private static Node child(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }
}
