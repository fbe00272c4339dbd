package io.cdpaccess.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads values out of one composed YAML document ({@link YamlDocument}), collecting every problem
 * as one line {@code file:line: key: what is wrong} before giving up, so that a person fixes a
 * file in one round. Unknown and repeated keys are problems: a misspelt {@code alow_from} must not
 * silently open an instance to every address, nor a second {@code allow_from} replace the first.
 */
public final class NodeReader {

    private final String fileName;
    private final EnvSubstitution substitution;
    private final List<String> problems = new ArrayList<>();
    private Decoder decoder;

    /**
     * @param fileName the file as people named it, for messages
     * @param substitution applied to every scalar read with {@link #value}
     */
    public NodeReader(String fileName, EnvSubstitution substitution) {
        this.fileName = fileName;
        this.substitution = substitution;
    }

    public String fileName() {
        return fileName;
    }

    /**
     * The mapping's entries by key; a problem for anything but a mapping, an unknown or a repeated
     * key. YAML merge keys ({@code <<: *defaults}) are honoured as YAML defines them: the merged
     * mappings' entries apply where the mapping does not give the key itself, the first merged
     * mapping winning over later ones.
     */
    public Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
        return mapping(node, path, allowed, 0);
    }

    private Map<String, Node> mapping(Node node, String path, Set<String> allowed, int depth) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, path.isEmpty() ? "(top level)" : path, "expected a mapping of keys to values");
            return Map.of();
        }
        Map<String, Node> result = new LinkedHashMap<>();
        List<Node> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode().getTag().equals(Tag.MERGE)) {
                Node value = tuple.getValueNode();
                merged.addAll(value instanceof SequenceNode seq ? seq.getValue() : List.of(value));
                continue;
            }
            String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            String keyPath = key == null ? path : path.isEmpty() ? key : path + "." + key;
            if (key == null || !allowed.contains(key)) {
                problem(
                        tuple.getKeyNode(),
                        keyPath,
                        "unknown key; expected one of "
                                + String.join(", ", allowed.stream().sorted().toList()));
            } else if (result.putIfAbsent(key, tuple.getValueNode()) != null) {
                problem(tuple.getKeyNode(), keyPath, "is given twice; keep one");
            }
        }
        for (Node other : merged) {
            if (depth >= MAX_MERGE_DEPTH) {
                problem(other, path, "merges nest more than " + MAX_MERGE_DEPTH + " deep");
                break;
            }
            mapping(other, path, allowed, depth + 1).forEach(result::putIfAbsent);
        }
        return result;
    }

    /** How deep {@code <<} may nest: enough for any real file, and a bound on a self-merging one. */
    private static final int MAX_MERGE_DEPTH = 8;

    /** The value of a key that must be there, parsed; {@code null} (and a problem) otherwise. */
    public <T> T required(Map<String, Node> m, Node parent, String path, String key, Function<String, T> parser) {
        if (!m.containsKey(key)) {
            problem(parent, path + "." + key, "is required");
            return null;
        }
        return value(m.get(key), path + "." + key, parser, null);
    }

    /**
     * A scalar, substituted and parsed; {@code fallback} when the node is absent, and (with a
     * problem) when it is not a single value or the parser refuses it with an
     * {@link IllegalArgumentException}, whose message becomes the problem.
     */
    public <T> T value(Node node, String path, Function<String, T> parser, T fallback) {
        if (node == null) {
            return fallback;
        }
        if (!(node instanceof ScalarNode scalar)) {
            problem(node, path, "expected a single value");
            return fallback;
        }
        if (scalar.getTag().equals(Tag.NULL)) {
            problem(node, path, "has no value");
            return fallback;
        }
        try {
            return parser.apply(substitution.apply(scalar.getValue()));
        } catch (IllegalArgumentException e) {
            // Never echo what came from the environment: name the variable instead.
            problem(node, path, substitution.redact(e.getMessage(), scalar.getValue()));
            return fallback;
        }
    }

    /** A list of scalars, each parsed as by {@link #value}; items that fail are left out (with a problem). */
    public <T> List<T> list(Node node, String path, Function<String, T> parser) {
        List<T> result = new ArrayList<>();
        List<Node> items = sequence(node, path, "expected a list, e.g. [10.0.0.0/8, \"2001:db8::/32\"]");
        for (int i = 0; i < items.size(); i++) {
            T v = value(items.get(i), path + "[" + i + "]", parser, null);
            if (v != null) {
                result.add(v);
            }
        }
        return result;
    }

    /** The items of a sequence; empty when absent, and (with {@code problem}) when not a sequence. */
    public List<Node> sequence(Node node, String path, String problem) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            problem(node, path, problem);
            return List.of();
        }
        return seq.getValue();
    }

    /**
     * A node as SnakeYAML's safe constructor makes it: text, numbers, booleans, {@code Date} for
     * timestamps, lists and maps. No substitution: this is data, not configuration.
     */
    public Object decoded(Node node) {
        if (decoder == null) {
            decoder = new Decoder();
        }
        return decoder.construct(node);
    }

    /** SnakeYAML's safe construction of one node, which its API keeps protected. */
    private static final class Decoder extends SafeConstructor {
        Decoder() {
            super(new LoaderOptions());
        }

        Object construct(Node node) {
            return constructObject(node);
        }
    }

    /** Records a problem at the node's line (0 when there is no node). */
    public void problem(Node node, String path, String message) {
        problems.add(fileName + ":" + line(node) + ": " + path + ": " + message);
    }

    /** A problem of the whole file, reported at line 1. */
    public void fileProblem(String message) {
        problems.add(fileName + ":1: " + message);
    }

    /** Whether the node is an explicit null ({@code ~}, {@code null} or nothing after the colon). */
    public static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** The 1-based line the node starts on, 0 for none. */
    public static int line(Node node) {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** Throws every problem recorded so far, if any. */
    public void throwIfProblems() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
