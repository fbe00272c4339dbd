package io.cdpaccess.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * How one kind of source ({@code type: ldap}, {@code redcapdb}...) reads its own keys of a
 * {@code sources:} entry; {@link SourcesSection} reads what every source shares and picks the
 * kind by its {@code type}. Problems go to the {@link NodeReader} with file and line.
 */
interface SourceKindSection {

    /** The keys this kind adds to the shared ones. */
    Set<String> keys();

    /**
     * The kind's settings from its own keys of one entry.
     *
     * @param own the entry's keys that are this kind's, as written
     * @param item the entry, for problems about a missing key
     * @param path where the entry is, e.g. {@code sources[2]}
     * @return the settings, or {@code null} when a problem was recorded that leaves none
     */
    SourceSettings read(Map<String, Node> own, Node item, String path);

    /** A file a source reads (a trust store, a roster), relative to the configuration's directory. */
    static Path readableFile(Path baseDir, String text) {
        Path p = baseDir.resolve(text).normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException("file not found or not readable: " + p);
        }
        return p;
    }

    /** A fact's name: rules read it as a field. */
    java.util.regex.Pattern FACT_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /**
     * The facts of a generic source, in configuration order: each entry {@code name: type}, or
     * {@code name: {<fromKey>: where, type: type}} when the value comes from somewhere not named
     * like the fact (a header with spaces, a JSON Pointer).
     *
     * @param fromKey how the entry names where the value comes from ({@code column}, {@code pointer})
     * @param defaultFrom where a fact written as {@code name: type} comes from, given its name;
     *     {@code null} when {@code fromKey} must always be written
     */
    static List<FactField> factFields(
            NodeReader in, Node node, String path, String fromKey, Function<String, String> defaultFrom) {
        List<FactField> fields = new ArrayList<>();
        if (node == null) {
            return fields;
        }
        in.mapping(node, path, keysOf(node)).forEach((name, value) -> {
            String where = path + "." + name;
            if (!FACT_NAME.matcher(name).matches()) {
                in.problem(value, where, "rules read it as a field; use lower-case letters, digits and _ (a-z first)");
                return;
            }
            if (name.equals("found")) {
                in.problem(
                        value, where, "found is every source's own fact (whether it knows the user); rename this one");
                return;
            }
            if (value instanceof MappingNode) {
                Map<String, Node> m = in.mapping(value, where, Set.of(fromKey, "type"));
                String from = defaultFrom == null
                        ? in.required(m, value, where, fromKey, Function.identity())
                        : in.value(m.get(fromKey), where + "." + fromKey, Function.identity(), defaultFrom.apply(name));
                FactField.Type type = in.required(m, value, where, "type", FactField.Type::parse);
                if (from != null && type != null) {
                    fields.add(new FactField(name, from, type));
                }
            } else if (defaultFrom == null) {
                in.problem(value, where, "expected {" + fromKey + ": ..., type: string|int|bool|date|timestamp|list}");
            } else {
                FactField.Type type = in.value(value, where, FactField.Type::parse, null);
                if (type != null) {
                    fields.add(new FactField(name, defaultFrom.apply(name), type));
                }
            }
        });
        return fields;
    }

    /** The keys of a mapping whose keys the administrator chooses (attribute names, columns). */
    static Set<String> keysOf(Node node) {
        Set<String> keys = new HashSet<>();
        if (node instanceof MappingNode mapping) {
            mapping.getValue().forEach(t -> {
                if (t.getKeyNode() instanceof ScalarNode s) {
                    keys.add(s.getValue());
                }
            });
        }
        return keys;
    }
}
