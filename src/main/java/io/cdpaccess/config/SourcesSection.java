package io.cdpaccess.config;

import java.nio.file.Files;
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

    private static final Set<String> COMMON = Set.of("name", "type", "timeout", "cache", "max_concurrent", "identity");

    private static final Set<String> LDAP_KEYS = Set.of(
            "url",
            "start_tls",
            "trust_store",
            "trust_store_password",
            "bind_dn",
            "bind_password",
            "pool_size",
            "user_base",
            "user_filter",
            "attributes",
            "groups",
            "group_base",
            "disabled_attribute",
            "max_nesting");

    private static final Set<String> REDCAPDB_KEYS = Set.of("url", "user", "password", "pool_size", "zone", "ehr_id");

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_MAX_CONCURRENT = 16;

    private final NodeReader in;
    private final Path baseDir;
    private final ZoneId serviceZone;

    SourcesSection(NodeReader in, Path baseDir, ZoneId serviceZone) {
        this.in = in;
        this.baseDir = baseDir;
        this.serviceZone = serviceZone;
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
            String type = in.required(all, item, path, "type", SourcesSection::type);
            if (name != null && !names.add(name)) {
                in.problem(all.get("name"), path + ".name", "source name '" + name + "' is used twice");
            }
            if (type == null) {
                continue;
            }
            Set<String> own = type.equals("ldap") ? LDAP_KEYS : REDCAPDB_KEYS;
            Map<String, Node> kind = new LinkedHashMap<>();
            all.forEach((key, value) -> {
                if (own.contains(key)) {
                    kind.put(key, value);
                } else if (!COMMON.contains(key)) {
                    in.problem(
                            value,
                            path + "." + key,
                            "is not a setting of a " + type + " source; expected one of "
                                    + String.join(", ", new java.util.TreeSet<>(union(COMMON, own))));
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
            SourceSettings settings = type.equals("ldap") ? ldap(kind, item, path) : redcapDb(kind, item, path);
            if (name != null && settings != null) {
                result.add(new SourceConfig(
                        name,
                        in.fileName() + ":" + NodeReader.line(item),
                        timeout,
                        cache,
                        maxConcurrent,
                        identity,
                        settings));
            }
        }
        checkChains(result, node);
        return result;
    }

    /**
     * A key taken from another source ({@code identity.via}) needs that source, and the chain may
     * not come back to where it started: each lookup waits for the one before it.
     */
    private void checkChains(List<SourceConfig> sources, Node node) {
        Map<String, SourceConfig> byName = new LinkedHashMap<>();
        sources.forEach(s -> byName.put(s.name(), s));
        for (SourceConfig source : sources) {
            Optional<String> via = source.identity().viaSource();
            if (via.isPresent() && !byName.containsKey(via.get())) {
                in.problem(
                        node,
                        "sources." + source.name() + ".identity.via",
                        "no source is named '" + via.get() + "'; configured: " + String.join(", ", byName.keySet()));
                continue;
            }
            List<String> chain = new ArrayList<>(List.of(source.name()));
            Optional<String> next = via;
            while (next.isPresent() && byName.containsKey(next.get())) {
                if (chain.contains(next.get())) {
                    chain.add(next.get());
                    in.problem(
                            node,
                            "sources." + source.name() + ".identity.via",
                            "the sources' keys depend on each other in a cycle: " + String.join(" <- ", chain));
                    break;
                }
                chain.add(next.get());
                next = byName.get(next.get()).identity().viaSource();
            }
        }
    }

    private static Set<String> allKeys() {
        return union(COMMON, union(LDAP_KEYS, REDCAPDB_KEYS));
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

    private static String type(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (!t.equals("ldap") && !t.equals("redcapdb")) {
            throw new IllegalArgumentException("unknown source type '" + text + "'; expected ldap or redcapdb");
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
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !parts[1].matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("expected source.fact, e.g. redcap.ehr_usernames");
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

    private LdapSettings ldap(Map<String, Node> m, Node item, String path) {
        List<String> urls = m.get("url") instanceof org.yaml.snakeyaml.nodes.SequenceNode
                ? in.list(m.get("url"), path + ".url", SourcesSection::ldapUrl)
                : Optional.ofNullable(in.required(m, item, path, "url", SourcesSection::ldapUrl))
                        .map(List::of)
                        .orElse(List.of());
        boolean startTls = in.value(m.get("start_tls"), path + ".start_tls", ConfigLoader::bool, false);
        Optional<Path> trustStore =
                Optional.ofNullable(in.value(m.get("trust_store"), path + ".trust_store", this::file, null));
        Secret trustPassword =
                in.value(m.get("trust_store_password"), path + ".trust_store_password", Secret::of, Secret.none());
        Optional<String> bindDn =
                Optional.ofNullable(in.value(m.get("bind_dn"), path + ".bind_dn", Function.identity(), null));
        Secret bindPassword = in.value(m.get("bind_password"), path + ".bind_password", Secret::of, Secret.none());
        int pool = in.value(m.get("pool_size"), path + ".pool_size", s -> ConfigLoader.intIn(s, 1, 100), 4);
        String userBase = in.required(m, item, path, "user_base", Function.identity());
        String userFilter = in.required(m, item, path, "user_filter", SourcesSection::userFilter);
        Map<String, String> attributes = new LinkedHashMap<>();
        Node attrs = m.get("attributes");
        if (attrs != null) {
            in.mapping(attrs, path + ".attributes", anyKey(attrs)).forEach((attr, typeNode) -> {
                String type = in.value(typeNode, path + ".attributes." + attr, SourcesSection::attributeType, null);
                if (!attr.matches("[A-Za-z][A-Za-z0-9_]*")) {
                    in.problem(
                            typeNode,
                            path + ".attributes." + attr,
                            "rules read it as a field; use an attribute name of letters, digits and _");
                } else if (type != null) {
                    attributes.put(attr, type);
                }
            });
        }
        LdapSettings.GroupMode groups =
                in.value(m.get("groups"), path + ".groups", SourcesSection::groupMode, LdapSettings.GroupMode.DIRECT);
        Optional<String> groupBase =
                Optional.ofNullable(in.value(m.get("group_base"), path + ".group_base", Function.identity(), null));
        Optional<String> disabled = Optional.ofNullable(
                in.value(m.get("disabled_attribute"), path + ".disabled_attribute", Function.identity(), null));
        int maxNesting = in.value(m.get("max_nesting"), path + ".max_nesting", s -> ConfigLoader.intIn(s, 1, 50), 10);
        if (startTls && urls.stream().anyMatch(u -> u.startsWith("ldaps:"))) {
            in.problem(
                    m.get("start_tls"), path + ".start_tls", "StartTLS is for ldap:// URLs; ldaps:// is TLS already");
        }
        if (groups == LdapSettings.GroupMode.AD && groupBase.isEmpty()) {
            in.problem(
                    m.get("groups"),
                    path + ".group_base",
                    "groups: ad asks for nested groups under group_base; set it, e.g. OU=Groups,DC=example,DC=edu");
        }
        // A simple bind with a DN and an empty password is an unauthenticated bind, which many
        // directories accept as anonymous: an unset ${LDAP_PASSWORD} must not quietly become one.
        if (bindDn.isPresent() && bindPassword.isEmpty()) {
            in.problem(
                    m.get("bind_dn"),
                    path + ".bind_password",
                    "bind_dn needs a password, e.g. bind_password: ${LDAP_PASSWORD}; leave both out to bind anonymously");
        } else if (bindDn.isEmpty() && !bindPassword.isEmpty()) {
            in.problem(
                    m.get("bind_password"), path + ".bind_dn", "bind_password is set but bind_dn is not; set bind_dn");
        }
        if (userBase == null || userFilter == null || urls.isEmpty()) {
            return null;
        }
        return new LdapSettings(
                urls,
                startTls,
                trustStore,
                trustPassword,
                bindDn,
                bindPassword,
                pool,
                userBase,
                userFilter,
                attributes,
                groups,
                groupBase,
                disabled,
                maxNesting);
    }

    private RedcapDbSettings redcapDb(Map<String, Node> m, Node item, String path) {
        String url = in.required(m, item, path, "url", SourcesSection::redcapDbUrl);
        String user = in.required(m, item, path, "user", Function.identity());
        Secret password = in.value(m.get("password"), path + ".password", Secret::of, Secret.none());
        int pool = in.value(m.get("pool_size"), path + ".pool_size", s -> ConfigLoader.intIn(s, 1, 100), 4);
        ZoneId zone = in.value(m.get("zone"), path + ".zone", ConfigLoader::zone, serviceZone);
        Optional<Long> ehrId = Optional.ofNullable(in.value(
                m.get("ehr_id"), path + ".ehr_id", s -> (long) ConfigLoader.intIn(s, 0, Integer.MAX_VALUE), null));
        if (url == null || user == null) {
            return null;
        }
        return new RedcapDbSettings(url, user, password, pool, zone, ehrId);
    }

    private static Set<String> anyKey(Node node) {
        Set<String> keys = new HashSet<>();
        if (node instanceof org.yaml.snakeyaml.nodes.MappingNode mapping) {
            mapping.getValue().forEach(t -> {
                if (t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode s) {
                    keys.add(s.getValue());
                }
            });
        }
        return keys;
    }

    private static String ldapUrl(String text) {
        String u = text.strip();
        if (!u.startsWith("ldap://") && !u.startsWith("ldaps://")) {
            throw new IllegalArgumentException("expected ldap://host:389 or ldaps://host:636");
        }
        return u;
    }

    private static String userFilter(String text) {
        if (!text.contains("{user}")) {
            throw new IllegalArgumentException(
                    "must contain {user}, e.g. (&(objectClass=user)(sAMAccountName={user}))");
        }
        return text;
    }

    private static String attributeType(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (!Set.of("string", "list", "int", "bool", "timestamp").contains(t)) {
            throw new IllegalArgumentException("expected string, list, int, bool or timestamp");
        }
        return t;
    }

    private static LdapSettings.GroupMode groupMode(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "ad" -> LdapSettings.GroupMode.AD;
            case "nested" -> LdapSettings.GroupMode.NESTED;
            case "direct" -> LdapSettings.GroupMode.DIRECT;
            default -> throw new IllegalArgumentException("expected ad, nested or direct");
        };
    }

    private static String redcapDbUrl(String text) {
        String u = text.strip();
        if (!u.startsWith("jdbc:mariadb://") && !u.startsWith("jdbc:mysql://")) {
            throw new IllegalArgumentException("expected jdbc:mariadb://host:3306/redcap (REDCap's MySQL or MariaDB)");
        }
        // The queries name REDCap's tables without a database: the URL must choose it.
        String afterHosts = u.substring(u.indexOf("//") + 2).split("[?;]", 2)[0];
        int slash = afterHosts.indexOf('/');
        if (slash < 0 || slash == afterHosts.length() - 1) {
            throw new IllegalArgumentException(
                    "name REDCap's database after the host, as in jdbc:mariadb://host:3306/redcap");
        }
        return u;
    }

    private Path file(String text) {
        Path p = baseDir.resolve(text).normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException("file not found or not readable: " + p);
        }
        return p;
    }
}
