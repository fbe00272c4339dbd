package io.cdpaccess.config;

import io.cdpaccess.net.Cidr;
import io.cdpaccess.net.HostPort;
import io.cdpaccess.net.IpAddresses;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleSpec;
import io.cdpaccess.protocol.RedcapUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the YAML configuration into a validated {@link ServiceConfig}: the schema of each section
 * (listen, store, instances, tls, auth_failures, policy, metrics), with defaults and limits.
 *
 * <p>Files are composed by {@link YamlDocument} and read by a {@link NodeReader}, so every
 * problem names its file and line and all of them are reported together. {@code ${NAME}} in
 * values is replaced from the environment ({@link EnvSubstitution}).
 */
public final class ConfigLoader {

    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    static final Duration MAX_DEADLINE = Duration.ofSeconds(25);
    private static final Pattern INSTANCE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Set<String> TOP_LEVEL = Set.of(
            "listen",
            "data_dir",
            "zone",
            "deadline",
            "store",
            "instances",
            "trusted_proxies",
            "tls",
            "auth_failures",
            "policy",
            "sources",
            "metrics",
            "audit");

    private final EnvSubstitution substitution;

    /** A loader reading {@code ${...}} references from the given environment. */
    public ConfigLoader(Map<String, String> environment) {
        this.substitution = new EnvSubstitution(environment);
    }

    /** Loads and validates a configuration file. */
    public ServiceConfig load(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        Node root = YamlDocument.read(absolute, file.toString());
        return new Sections(new NodeReader(file.toString(), substitution), absolute.getParent()).config(root);
    }

    /**
     * Reads a document whose only key is {@code policy} (the shipped default policy, or a file of
     * rules), reporting problems against {@code origin}.
     */
    public PolicySpec loadPolicy(String origin, String yaml) throws ConfigException {
        Node root = YamlDocument.parse(origin, yaml);
        return new Sections(new NodeReader(origin, substitution), Path.of(".")).policyDocument(root);
    }

    /** The sections of one file, read with one reader that collects every problem. */
    private static final class Sections {
        private final NodeReader in;
        private final Path baseDir;

        Sections(NodeReader in, Path baseDir) {
            this.in = in;
            this.baseDir = baseDir;
        }

        ServiceConfig config(Node root) throws ConfigException {
            if (root == null) {
                throw new ConfigException(in.fileName() + ": the file is empty; see config/cdp-access.example.yaml");
            }
            Map<String, Node> top = in.mapping(root, "", TOP_LEVEL);
            HostPort listen = in.value(top.get("listen"), "listen", HostPort::parse, new HostPort("127.0.0.1", 8080));
            Path dataDir = in.value(top.get("data_dir"), "data_dir", this::path, baseDir.resolve("cdp-access-data"));
            ZoneId zone = in.value(top.get("zone"), "zone", ConfigLoader::zone, ZoneId.systemDefault());
            Duration deadline = in.value(
                    top.get("deadline"),
                    "deadline",
                    s -> durationIn(s, Duration.ofMillis(100), MAX_DEADLINE),
                    DEFAULT_DEADLINE);
            StoreConfig store = store(top.get("store"), dataDir, deadline);
            List<InstanceConfig> instances = instances(top.get("instances"));
            List<Cidr> trustedProxies = in.list(top.get("trusted_proxies"), "trusted_proxies", Cidr::parse);
            Optional<TlsConfig> tls = tls(top.get("tls"), dataDir);
            AuthFailureLimit limit = authFailures(top.get("auth_failures"));
            Optional<PolicySpec> policy =
                    top.containsKey("policy") ? Optional.of(policy(top.get("policy"))) : Optional.empty();
            MetricsConfig metrics = metrics(top.get("metrics"));
            AuditConfig audit = audit(top.get("audit"));
            List<SourceConfig> sources = new SourcesSection(in, baseDir, zone).sources(top.get("sources"));
            in.throwIfProblems();
            return new ServiceConfig(
                    Path.of(in.fileName()),
                    listen,
                    dataDir,
                    zone,
                    deadline,
                    store,
                    instances,
                    trustedProxies,
                    tls,
                    limit,
                    policy,
                    sources,
                    metrics,
                    audit);
        }

        PolicySpec policyDocument(Node root) throws ConfigException {
            if (root == null) {
                throw new ConfigException(in.fileName() + ": the file is empty");
            }
            Map<String, Node> top = in.mapping(root, "", Set.of("policy"));
            PolicySpec spec = top.containsKey("policy") ? policy(top.get("policy")) : null;
            if (spec == null && !in.hasProblems()) {
                in.fileProblem("policy: is required");
            }
            in.throwIfProblems();
            return spec;
        }

        private PolicySpec policy(Node node) {
            Map<String, Node> m = in.mapping(node, "policy", Set.of("rules"));
            List<RuleSpec> rules = new ArrayList<>();
            Node list = m.get("rules");
            if (list == null) {
                in.problem(node, "policy.rules", "is required: a list of {name, effect, when, description}");
            }
            List<Node> items = in.sequence(list, "policy.rules", "expected a list of rules");
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String path = "policy.rules[" + i + "]";
                Map<String, Node> r = in.mapping(item, path, Set.of("name", "effect", "when", "description"));
                String name = in.required(r, item, path, "name", Function.identity());
                RuleEffect effect = in.required(r, item, path, "effect", ConfigLoader::effect);
                String when = in.required(r, item, path, "when", Function.identity());
                String description = in.value(r.get("description"), path + ".description", Function.identity(), "");
                if (name != null && effect != null && when != null) {
                    rules.add(new RuleSpec(
                            name, effect, when, description, in.fileName() + ":" + NodeReader.line(r.get("when"))));
                }
            }
            return new PolicySpec(rules, in.fileName());
        }

        private StoreConfig store(Node node, Path dataDir, Duration deadline) {
            Map<String, Node> m = node == null
                    ? Map.of()
                    : in.mapping(node, "store", Set.of("url", "user", "password", "pool_size", "refresh_interval"));
            String url = in.value(m.get("url"), "store.url", ConfigLoader::jdbcUrl, StoreConfig.embeddedUrl(dataDir));
            String user = in.value(m.get("user"), "store.user", Function.identity(), "");
            Secret password = in.value(m.get("password"), "store.password", Secret::of, Secret.none());
            int poolSize = in.value(m.get("pool_size"), "store.pool_size", s -> intIn(s, 2, 200), 10);
            Duration refresh = in.value(
                    m.get("refresh_interval"),
                    "store.refresh_interval",
                    s -> durationIn(s, Duration.ofMillis(50), Duration.ofMinutes(10)),
                    Duration.ofSeconds(1));
            return new StoreConfig(url, user, password, poolSize, refresh, StoreConfig.busyTimeoutFor(deadline));
        }

        private List<InstanceConfig> instances(Node node) {
            if (node == null) {
                in.fileProblem("instances: at least one REDCap instance is required "
                        + "(name, redcap_url, secret); see config/cdp-access.example.yaml");
                return List.of();
            }
            List<Node> items = in.sequence(node, "instances", "expected a list of instances");
            if (!(node instanceof SequenceNode)) {
                return List.of();
            }
            List<InstanceConfig> result = new ArrayList<>();
            Map<String, Node> seenNames = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String path = "instances[" + i + "]";
                Map<String, Node> m = in.mapping(item, path, Set.of("name", "redcap_url", "secret", "allow_from"));
                String name = in.required(m, item, path, "name", ConfigLoader::instanceName);
                Optional<RedcapUrl> url = in.required(
                        m,
                        item,
                        path,
                        "redcap_url",
                        s -> s.equals("*") ? Optional.<RedcapUrl>empty() : Optional.of(RedcapUrl.parse(s)));
                CallerSecret secret = in.required(m, item, path, "secret", CallerSecret::parse);
                List<Cidr> allowFrom = in.list(m.get("allow_from"), path + ".allow_from", Cidr::parse);
                if (name != null && seenNames.putIfAbsent(name, item) != null) {
                    in.problem(m.get("name"), path + ".name", "instance name '" + name + "' is used twice");
                }
                if (secret != null) {
                    for (InstanceConfig other : result) {
                        if (other.secret().sameAs(secret)) {
                            in.problem(
                                    m.get("secret"),
                                    path + ".secret",
                                    "same secret as instance '" + other.name()
                                            + "'; each REDCap installation needs its own secret");
                        }
                    }
                }
                if (name != null && url != null && secret != null) {
                    result.add(new InstanceConfig(name, url, secret, allowFrom));
                }
            }
            if (items.isEmpty()) {
                in.problem(node, "instances", "at least one REDCap instance is required");
            }
            return result;
        }

        private Optional<TlsConfig> tls(Node node, Path dataDir) {
            if (node == null) {
                return Optional.empty();
            }
            Map<String, Node> m = in.mapping(
                    node,
                    "tls",
                    Set.of(
                            "keystore",
                            "keystore_password",
                            "certificate",
                            "private_key",
                            "private_key_password",
                            "self_signed"));
            Optional<Path> keystore =
                    Optional.ofNullable(in.value(m.get("keystore"), "tls.keystore", this::file, null));
            Secret password = in.value(m.get("keystore_password"), "tls.keystore_password", Secret::of, Secret.none());
            Optional<Path> cert =
                    Optional.ofNullable(in.value(m.get("certificate"), "tls.certificate", this::file, null));
            Optional<Path> key =
                    Optional.ofNullable(in.value(m.get("private_key"), "tls.private_key", this::file, null));
            Secret keyPassword =
                    in.value(m.get("private_key_password"), "tls.private_key_password", Secret::of, Secret.none());
            Optional<TlsConfig.SelfSigned> selfSigned = m.containsKey("self_signed")
                    ? Optional.of(selfSigned(m.get("self_signed"), dataDir))
                    : Optional.empty();
            boolean pem = m.containsKey("certificate") || m.containsKey("private_key");
            int sources = (m.containsKey("keystore") ? 1 : 0) + (pem ? 1 : 0) + (selfSigned.isPresent() ? 1 : 0);
            if (sources != 1) {
                in.problem(
                        node,
                        "tls",
                        "give exactly one of keystore (PKCS#12), certificate and private_key (PEM), "
                                + "or self_signed: {hosts: [...]}");
            } else if (pem && (!m.containsKey("certificate") || !m.containsKey("private_key"))) {
                in.problem(node, "tls", "PEM needs both certificate and private_key");
            }
            if (m.containsKey("private_key_password") && !m.containsKey("private_key")) {
                in.problem(
                        m.get("private_key_password"),
                        "tls.private_key_password",
                        "unlocks tls.private_key only; for a keystore use tls.keystore_password");
            }
            return Optional.of(new TlsConfig(keystore, password, cert, key, keyPassword, selfSigned));
        }

        private TlsConfig.SelfSigned selfSigned(Node node, Path dataDir) {
            Map<String, Node> m = in.mapping(node, "tls.self_signed", Set.of("hosts"));
            Node hostsNode = m.get("hosts");
            List<String> hosts = in.list(hostsNode, "tls.self_signed.hosts", ConfigLoader::certificateHost).stream()
                    .distinct()
                    .toList();
            if (hostsNode == null
                    || (hostsNode instanceof SequenceNode seq && seq.getValue().isEmpty())) {
                in.problem(
                        hostsNode == null ? node : hostsNode,
                        "tls.self_signed.hosts",
                        "list the host names or IP addresses REDCap's URL will use, e.g. [cdp-access.example.edu]");
            }
            // The data directory is always known (it defaults to cdp-access-data beside this file).
            return new TlsConfig.SelfSigned(hosts, dataDir.resolve("tls"));
        }

        private AuthFailureLimit authFailures(Node node) {
            if (node == null) {
                return AuthFailureLimit.DEFAULT;
            }
            Map<String, Node> m = in.mapping(node, "auth_failures", Set.of("limit", "window", "max_delay"));
            int limit = in.value(
                    m.get("limit"),
                    "auth_failures.limit",
                    s -> intIn(s, 1, 1_000_000),
                    AuthFailureLimit.DEFAULT.failures());
            Duration window = in.value(
                    m.get("window"),
                    "auth_failures.window",
                    s -> durationIn(s, Duration.ofSeconds(1), Duration.ofDays(1)),
                    AuthFailureLimit.DEFAULT.window());
            Duration maxDelay = in.value(
                    m.get("max_delay"),
                    "auth_failures.max_delay",
                    s -> durationIn(s, Duration.ZERO, Duration.ofMinutes(1)),
                    AuthFailureLimit.DEFAULT.maxDelay());
            return new AuthFailureLimit(limit, window, maxDelay);
        }

        private AuditConfig audit(Node node) {
            if (node == null) {
                return AuditConfig.DEFAULT;
            }
            Map<String, Node> m = in.mapping(
                    node, "audit", Set.of("checkpoint_every", "checkpoint_file", "checkpoint_syslog", "retention"));
            Duration every = in.value(
                    m.get("checkpoint_every"),
                    "audit.checkpoint_every",
                    s -> durationIn(s, Duration.ofSeconds(10), Duration.ofHours(24)),
                    AuditConfig.DEFAULT.checkpointEvery());
            Optional<Path> file = Optional.ofNullable(
                    in.value(m.get("checkpoint_file"), "audit.checkpoint_file", this::writableFile, null));
            Optional<HostPort> syslog = Optional.ofNullable(
                    in.value(m.get("checkpoint_syslog"), "audit.checkpoint_syslog", ConfigLoader::udpSyslog, null));
            Period retention = in.value(
                    m.get("retention"), "audit.retention", ConfigLoader::retention, AuditConfig.DEFAULT_RETENTION);
            return new AuditConfig(every, file, syslog, retention);
        }

        /** A file the service appends to: its directory must exist. */
        private Path writableFile(String text) {
            Path p = path(text);
            if (p.getParent() == null || !java.nio.file.Files.isDirectory(p.getParent())) {
                throw new IllegalArgumentException("its directory " + p.getParent() + " does not exist");
            }
            if (java.nio.file.Files.isDirectory(p)) {
                throw new IllegalArgumentException("is a directory; name a file in it");
            }
            return p;
        }

        private MetricsConfig metrics(Node node) {
            if (node == null) {
                return MetricsConfig.DEFAULT;
            }
            Map<String, Node> m = in.mapping(node, "metrics", Set.of("enabled", "allow_from"));
            boolean enabled = in.value(m.get("enabled"), "metrics.enabled", ConfigLoader::bool, true);
            Node allowNode = m.get("allow_from");
            if (allowNode == null) {
                return new MetricsConfig(enabled, MetricsConfig.DEFAULT.allowFrom());
            }
            if (allowNode instanceof SequenceNode seq && seq.getValue().isEmpty()) {
                // An empty instance allow_from means "anywhere"; here it would mean "nobody". Neither
                // reading is safe to guess, so ask for what was meant.
                in.problem(
                        allowNode,
                        "metrics.allow_from",
                        "is empty; list the networks of your Prometheus server "
                                + "(e.g. [10.0.0.5/32]), or set metrics.enabled: false");
            }
            return new MetricsConfig(enabled, in.list(allowNode, "metrics.allow_from", Cidr::parse));
        }

        private Path path(String text) {
            return baseDir.resolve(text).normalize();
        }

        private Path file(String text) {
            Path p = path(text);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("file not found: " + p);
            }
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("file not readable: " + p);
            }
            return p;
        }
    }

    private static String instanceName(String s) {
        if (!INSTANCE_NAME.matcher(s).matches()) {
            throw new IllegalArgumentException("use 1-32 lower-case letters, digits, '-' or '_', e.g. prod");
        }
        return s;
    }

    /** A name for a certificate: an IP literal in canonical form, or a lower-case DNS name. */
    private static String certificateHost(String text) {
        String s = text.strip();
        if (s.indexOf(':') >= 0 || s.matches("[0-9.]+") || s.startsWith("[")) {
            return IpAddresses.parseLiteral(s).getHostAddress();
        }
        String name = s.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!DNS_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is neither a DNS name (letters, digits, '-', dots) nor an IP address");
        }
        return name;
    }

    /** {@code udp://host:port}, the one transport a syslog server is sure to take. */
    static HostPort udpSyslog(String text) {
        String t = text.strip();
        if (!t.startsWith("udp://")) {
            throw new IllegalArgumentException("expected udp://host:514");
        }
        return HostPort.parse(t.substring("udp://".length()));
    }

    static boolean bool(String text) {
        return switch (text.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static RuleEffect effect(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "allow" -> RuleEffect.ALLOW;
            case "deny" -> RuleEffect.DENY;
            default -> throw new IllegalArgumentException("must be allow or deny");
        };
    }

    static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone; use a name such as America/Chicago or UTC", e);
        }
    }

    /**
     * A retention: whole years ({@code 6y}) or days ({@code 2190d}), at least 30 days (a shorter
     * one is a typo: it would erase the record an audit needs) and at most 100 years.
     */
    static Period retention(String text) {
        Matcher m = RETENTION.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected years or days, such as 6y or 2190d");
        }
        int n = Integer.parseInt(m.group(1));
        Period p = m.group(2).equals("y") ? Period.ofYears(n) : Period.ofDays(n);
        if (m.group(2).equals("y") ? n < 1 || n > 100 : n < 30 || n > 36_500) {
            throw new IllegalArgumentException(
                    "must be between 30d and 100y: a shorter retention would erase what an audit needs");
        }
        return p;
    }

    private static final Pattern RETENTION = Pattern.compile("(\\d{1,5})\\s*(y|d)");

    static Duration durationIn(String text, Duration min, Duration max) {
        Duration d = Durations.parse(text);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    "must be between " + Durations.format(min) + " and " + Durations.format(max));
        }
        return d;
    }

    static int intIn(String text, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number", e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return n;
    }

    private static String jdbcUrl(String text) {
        if (!(text.startsWith("jdbc:sqlite:")
                || text.startsWith("jdbc:postgresql:")
                || text.startsWith("jdbc:mariadb:"))) {
            throw new IllegalArgumentException("supported databases: jdbc:sqlite:, jdbc:postgresql:, jdbc:mariadb:");
        }
        return text;
    }
}
