package io.cdpaccess.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
