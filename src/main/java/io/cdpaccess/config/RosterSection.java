package io.cdpaccess.config;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The keys of a {@code type: roster} source: a CSV or TSV file read into memory.
 *
 * <p>The file need not exist yet (the first nightly export may not have run): its directory
 * must, and {@link ConfigWarnings} names a missing file. Until a good file is read, the source's
 * lookups fail and decisions that read it deny.
 */
final class RosterSection implements SourceKindSection {

    private static final Set<String> KEYS = Set.of(
            "file", "key", "columns", "delimiter", "encoding", "list_separator", "zone", "max_rows", "reload_every");

    static final int DEFAULT_MAX_ROWS = 2_000_000;
    static final Duration DEFAULT_RELOAD_EVERY = Duration.ofSeconds(30);

    private final NodeReader in;
    private final Path baseDir;
    private final ZoneId serviceZone;

    RosterSection(NodeReader in, Path baseDir, ZoneId serviceZone) {
        this.in = in;
        this.baseDir = baseDir;
        this.serviceZone = serviceZone;
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public RosterSettings read(Map<String, Node> m, Node item, String path) {
        Path file = in.required(m, item, path, "file", this::file);
        String key = in.required(m, item, path, "key", RosterSection::header);
        if (!m.containsKey("columns")) {
            in.problem(item, path, "missing columns: the facts rules read, e.g. {active: bool, expires_on: date}");
        }
        List<FactField> columns =
                SourceKindSection.factFields(in, m.get("columns"), path + ".columns", "column", Function.identity());
        char delimiter = in.value(
                m.get("delimiter"),
                path + ".delimiter",
                RosterSection::delimiter,
                file != null
                                && file.getFileName()
                                        .toString()
                                        .toLowerCase(Locale.ROOT)
                                        .endsWith(".tsv")
                        ? '\t'
                        : ',');
        Charset encoding =
                in.value(m.get("encoding"), path + ".encoding", RosterSection::encoding, StandardCharsets.UTF_8);
        String listSeparator =
                in.value(m.get("list_separator"), path + ".list_separator", RosterSection::listSeparator, ";");
        ZoneId zone = in.value(m.get("zone"), path + ".zone", ConfigLoader::zone, serviceZone);
        int maxRows = in.value(
                m.get("max_rows"), path + ".max_rows", s -> ConfigLoader.intIn(s, 1, 50_000_000), DEFAULT_MAX_ROWS);
        Duration reloadEvery = in.value(
                m.get("reload_every"),
                path + ".reload_every",
                s -> ConfigLoader.durationIn(s, Duration.ofSeconds(1), Duration.ofHours(24)),
                DEFAULT_RELOAD_EVERY);
        if (m.containsKey("columns")
                && columns.isEmpty()
                && SourceKindSection.keysOf(m.get("columns")).isEmpty()) {
            in.problem(m.get("columns"), path + ".columns", "declare at least one column the rules read");
        }
        if (file == null || key == null || columns.isEmpty()) {
            return null;
        }
        if (String.valueOf(delimiter).equals(listSeparator)) {
            in.problem(
                    m.get("list_separator"),
                    path + ".list_separator",
                    "is the delimiter too; choose another (the default is ;)");
            return null;
        }
        return new RosterSettings(file, key, columns, delimiter, encoding, listSeparator, zone, maxRows, reloadEvery);
    }

    /** Relative to the configuration's directory; the file may appear later, its directory must exist. */
    private Path file(String text) {
        Path p = baseDir.resolve(text.strip()).normalize();
        if (Files.exists(p)) {
            return SourceKindSection.readableFile(baseDir, text.strip());
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("no such directory: " + parent);
        }
        return p;
    }

    private static String header(String text) {
        String h = text.strip();
        if (h.isEmpty()) {
            throw new IllegalArgumentException("expected the header of the column that holds usernames");
        }
        return h;
    }

    private static char delimiter(String text) {
        return switch (text) {
            case "tab", "\\t", "\t" -> '\t';
            case ",", ";", "|" -> text.charAt(0);
            default -> throw new IllegalArgumentException("expected ',', ';', '|' or tab");
        };
    }

    private static Charset encoding(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "utf-8", "utf8" -> StandardCharsets.UTF_8;
            case "iso-8859-1", "latin1", "latin-1" -> StandardCharsets.ISO_8859_1;
            case "windows-1252", "cp1252" -> Charset.forName("windows-1252");
            default -> throw new IllegalArgumentException("expected UTF-8, ISO-8859-1 or windows-1252");
        };
    }

    private static String listSeparator(String text) {
        if (text.isEmpty() || text.length() > 4 || text.contains("\"") || text.contains("\n")) {
            throw new IllegalArgumentException("expected a short separator such as ; or |");
        }
        return text;
    }
}
