package io.cdpaccess.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code sources:} list: what every source shares (name, type, timeout, cache,
 * max_concurrent, identity), then its kind's own keys. Problems are collected in the
 * {@link NodeReader} with file and line, as everywhere in the configuration.
 */
final class SourcesSection {

    /** The variables the service itself defines: a source named so would hide them from rules. */
    private static final Set<String> RESERVED = Set.of("request", "now", "store");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private static final Set<String> COMMON =
            Set.of("name", "type", "timeout", "cache", "max_concurrent", "identity", "irb_number");

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_MAX_CONCURRENT = 16;

    private final NodeReader in;

    /** The kinds by {@code type:}, sorted for messages that list them. */
    private final SortedMap<String, SourceKindSection> kinds;

    SourcesSection(NodeReader in, Path baseDir, ZoneId serviceZone) {
        this.in = in;
        this.kinds = new TreeMap<>(Map.of(
                "ldap", new LdapSection(in, baseDir),
                "redcapdb", new RedcapDbSection(in, serviceZone),
                "roster", new RosterSection(in, baseDir, serviceZone),
                "sql", new SqlSection(in, baseDir, serviceZone),
                "web", new WebSection(in, baseDir, serviceZone)));
    }

    List<SourceConfig> sources(Node node) {
        List<SourceConfig> result = new ArrayList<>();
        List<Node> items = in.sequence(node, "sources", "expected a list of sources, each {name, type, ...}");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = "sources[" + i + "]";
            Map<String, Node> all = in.mapping(item, path, allKeys());
            String name = in.required(all, item, path, "name", SourcesSection::name);
            String type = in.required(all, item, path, "type", this::type);
            if (name != null && !names.add(name)) {
                in.problem(all.get("name"), path + ".name", "source name '" + name + "' is used twice");
            }
            if (type == null) {
                continue;
            }
            SourceKindSection kindSection = kinds.get(type);
            Set<String> own = kindSection.keys();
            Map<String, Node> kind = new LinkedHashMap<>();
            all.forEach((key, value) -> {
                if (own.contains(key)) {
                    kind.put(key, value);
                } else if (!COMMON.contains(key)) {
                    in.problem(
                            value,
                            path + "." + key,
                            "is not a setting of a " + type + " source; expected one of "
                                    + String.join(", ", new TreeSet<>(union(COMMON, own))));
                }
            });
            Duration timeout = in.value(
                    all.get("timeout"),
                    path + ".timeout",
                    s -> ConfigLoader.durationIn(s, Duration.ofMillis(10), ConfigLoader.MAX_DEADLINE),
                    DEFAULT_TIMEOUT);
            SourceConfig.SourceCache cache = cache(all.get("cache"), path + ".cache");
            int maxConcurrent = in.value(
                    all.get("max_concurrent"),
                    path + ".max_concurrent",
                    s -> ConfigLoader.intIn(s, 1, 1_000),
                    DEFAULT_MAX_CONCURRENT);
            IdentityMapping identity = identity(all.get("identity"), path + ".identity");
            Optional<String> irbNumber = Optional.ofNullable(
                    in.value(all.get("irb_number"), path + ".irb_number", SourcesSection::factRef, null));
            SourceSettings settings = kindSection.read(kind, item, path);
            if (name != null && settings != null) {
                result.add(new SourceConfig(
                        name,
                        in.fileName() + ":" + NodeReader.line(item),
                        timeout,
                        cache,
                        maxConcurrent,
                        identity,
                        irbNumber,
                        settings));
            }
        }
        checkChains(result, node);
        return result;
    }

    /**
     * A source asked with another's fact ({@code identity.via}, {@code irb_number}) needs that
     * source, and the chain may not come back to where it started: each lookup waits for the
     * ones before it.
     */
    private void checkChains(List<SourceConfig> sources, Node node) {
        Map<String, SourceConfig> byName = new LinkedHashMap<>();
        sources.forEach(s -> byName.put(s.name(), s));
        for (SourceConfig source : sources) {
            checkNamed(source, "identity.via", source.identity().viaSource(), byName, node);
            checkNamed(source, "irb_number", source.irbNumberSource(), byName, node);
        }
        Set<String> reported = new HashSet<>();
        for (SourceConfig source : sources) {
            List<String> cycle = cycleFrom(source.name(), new ArrayList<>(), byName);
            if (!cycle.isEmpty() && reported.add(source.name())) {
                reported.addAll(cycle);
                String edge = source.identity().viaSource().equals(Optional.of(cycle.get(1)))
                        ? ".identity.via"
                        : ".irb_number";
                in.problem(
                        node,
                        "sources." + source.name() + edge,
                        "the sources' keys depend on each other in a cycle: " + String.join(" <- ", cycle));
            }
        }
    }

    private void checkNamed(
            SourceConfig source, String key, Optional<String> named, Map<String, SourceConfig> byName, Node node) {
        if (named.isPresent() && !byName.containsKey(named.get())) {
            in.problem(
                    node,
                    "sources." + source.name() + "." + key,
                    "no source is named '" + named.get() + "'; configured: " + String.join(", ", byName.keySet()));
        }
    }

    /** The path back to {@code name} when following what it depends on leads there, else empty. */
    private static List<String> cycleFrom(String name, List<String> path, Map<String, SourceConfig> byName) {
        if (path.contains(name)) {
            return path.get(0).equals(name) ? append(path, name) : List.of();
        }
        SourceConfig source = byName.get(name);
        if (source == null) {
            return List.of();
        }
        List<String> next = append(path, name);
        for (String dependency : source.dependencies()) {
            List<String> cycle = cycleFrom(dependency, next, byName);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> append(List<String> path, String name) {
        List<String> longer = new ArrayList<>(path);
        longer.add(name);
        return longer;
    }

    /** Every key any kind knows: an entry's own kind then sorts out which are its. */
    private Set<String> allKeys() {
        Set<String> keys = new HashSet<>(COMMON);
        kinds.values().forEach(k -> keys.addAll(k.keys()));
        return keys;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String name(String text) {
        if (!NAME.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "use 1-32 lower-case letters, digits or '_', starting with a letter (rules read it: ldap.groups)");
        }
        if (RESERVED.contains(text)) {
            throw new IllegalArgumentException(
                    "'" + text + "' is a variable of the service itself; choose another name");
        }
        return text;
    }

    private String type(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (!kinds.containsKey(t)) {
            throw new IllegalArgumentException(
                    "unknown source type '" + text + "'; expected one of " + String.join(", ", kinds.keySet()));
        }
        return t;
    }

    private SourceConfig.SourceCache cache(Node node, String path) {
        SourceConfig.SourceCache d = SourceConfig.SourceCache.DEFAULT;
        if (node == null) {
            return d;
        }
        Map<String, Node> m = in.mapping(node, path, Set.of("found", "not_found", "stale_if_error", "max_entries"));
        Function<String, Duration> ttl = s -> ConfigLoader.durationIn(s, Duration.ZERO, Duration.ofDays(7));
        return new SourceConfig.SourceCache(
                in.value(m.get("found"), path + ".found", ttl, d.found()),
                in.value(m.get("not_found"), path + ".not_found", ttl, d.notFound()),
                in.value(m.get("stale_if_error"), path + ".stale_if_error", ttl, d.staleIfError()),
                in.value(
                        m.get("max_entries"),
                        path + ".max_entries",
                        s -> ConfigLoader.intIn(s, 1, 10_000_000),
                        d.maxEntries()));
    }

    private IdentityMapping identity(Node node, String path) {
        if (node == null) {
            return IdentityMapping.NONE;
        }
        Map<String, Node> m = in.mapping(node, path, Set.of("via", "strip_domain", "replace", "with", "add_domain"));
        Optional<String> via = Optional.ofNullable(in.value(m.get("via"), path + ".via", SourcesSection::via, null));
        boolean strip = in.value(m.get("strip_domain"), path + ".strip_domain", ConfigLoader::bool, false);
        Optional<IdentityMapping.Replace> replace = Optional.empty();
        if (m.containsKey("replace") != m.containsKey("with")) {
            in.problem(node, path, "replace and with go together: replace: '(.*)@old\\.edu', with: '$1'");
        } else if (m.containsKey("replace")) {
            String pattern = in.value(m.get("replace"), path + ".replace", SourcesSection::regex, null);
            String with = in.value(m.get("with"), path + ".with", Function.identity(), "");
            if (pattern != null) {
                replace = Optional.of(new IdentityMapping.Replace(pattern, with));
            }
        }
        Optional<String> addDomain =
                Optional.ofNullable(in.value(m.get("add_domain"), path + ".add_domain", SourcesSection::domain, null));
        return new IdentityMapping(via, strip, replace, addDomain);
    }

    private static String via(String text) {
        return factRef(text, "redcap.ehr_usernames");
    }

    private static String factRef(String text) {
        return factRef(text, "redcap.project_irb_number");
    }

    private static String factRef(String text, String example) {
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !parts[1].matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("expected source.fact, e.g. " + example);
        }
        return text.strip();
    }

    private static String regex(String text) {
        try {
            Pattern.compile(text);
            return text;
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a regular expression: " + e.getDescription(), e);
        }
    }

    private static String domain(String text) {
        String d = text.strip();
        if (d.startsWith("@")) {
            d = d.substring(1);
        }
        if (!d.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            throw new IllegalArgumentException("expected a domain such as example.edu");
        }
        return d;
    }
}
