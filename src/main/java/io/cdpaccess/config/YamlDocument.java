package io.cdpaccess.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Every YAML file the service reads (configuration, policy files, policy test cases), composed
 * the one way: into nodes that know their line, never into arbitrary objects, with SnakeYAML's
 * bounds on aliases and nesting (no "billion laughs"). Repeated keys are found by
 * {@link NodeReader#mapping}, as SnakeYAML checks them only when constructing objects.
 */
public final class YamlDocument {

    private YamlDocument() {}

    /**
     * Reads a UTF-8 file and composes it.
     *
     * @param name the file as people named it, for messages
     * @return the root node, {@code null} for an empty document
     * @throws ConfigException when the file cannot be read (marked {@linkplain ConfigException#unreadable()
     *     unreadable}), is not UTF-8, or is not YAML (with its line)
     */
    public static Node read(Path file, String name) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw ConfigException.unreadable(name + ": file not found");
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": not UTF-8 text; save the file as UTF-8");
        } catch (IOException e) {
            throw ConfigException.unreadable(name + ": cannot read: " + e.getMessage());
        }
        return parse(name, text);
    }

    /**
     * Composes YAML text.
     *
     * @param origin where the text came from, for messages
     * @return the root node, {@code null} for an empty document
     */
    public static Node parse(String origin, String text) throws ConfigException {
        // SnakeYAML's limits (50 aliases per collection, nesting depth 50) bound what a file can
        // expand to; repeated keys are refused by NodeReader, as composing does not check them.
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(origin + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(origin + ": not valid YAML: " + e.getMessage());
        }
    }
}
