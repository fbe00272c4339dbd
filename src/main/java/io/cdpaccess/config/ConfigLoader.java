package io.cdpaccess.config;

import io.cdpaccess.protocol.RedcapUrl;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import io.cdpaccess.policy.PolicySpec;
import io.cdpaccess.policy.RuleEffect;
import io.cdpaccess.policy.RuleSpec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the YAML configuration into a validated {@link ServiceConfig}.
 *
 * <p>The YAML is composed into nodes (never into arbitrary objects) so that every problem can
 * name the file and line it comes from. All problems are collected and reported together, each
 * on one line. Unknown keys are errors: a misspelt {@code alow_from} must not silently open an
 * instance to every address. {@code ${NAME}} and {@code ${NAME:-default}} in values are replaced
 * from the environment, the default also when {@code NAME} is set but empty, as in the shell
 * ({@code $$} writes a literal {@code $}). Repeated keys are errors too.
 */
public final class ConfigLoader {

    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    static final Duration MAX_DEADLINE = Duration.ofSeconds(25);
    private static final Pattern INSTANCE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Map<String, String> environment;

    /** A loader reading {@code ${...}} references from the given environment. */
    public ConfigLoader(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Loads and validates a configuration file. */
    public ServiceConfig load(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(absolute, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw ConfigException.unreadable(file + ": file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(file + ": not UTF-8 text; save the file as UTF-8");
        } catch (IOException e) {
            throw ConfigException.unreadable(file + ": cannot read: " + e.getMessage());
        }
        Node root;
        try (Reader reader = new java.io.StringReader(text)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            root = new Yaml(new SafeConstructor(options)).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(file + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException | IOException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        return new Reading(file.toString(), absolute.getParent()).read(root);
    }

    /** One pass over one file, collecting every problem before giving up. */
    private final class Reading {
        private final String fileName;
        private final Path baseDir;
        private final List<String> problems = new ArrayList<>();

        Reading(String fileName, Path baseDir) {
            this.fileName = fileName;
            this.baseDir = baseDir;
        }

        ServiceConfig read(Node root) throws ConfigException {
            if (root == null) {
                throw new ConfigException(fileName + ": the file is empty; see config/cdp-access.example.yaml");
            }
            Map<String, Node> top = mapping(root, "", Set.of("listen", "data_dir", "zone", "deadline", "store",
                    "instances", "trusted_proxies", "tls", "auth_failures", "policy", "metrics"));
            HostPort listen = value(top.get("listen"), "listen", HostPort::parse, new HostPort("127.0.0.1", 8080));
            Path dataDir = value(top.get("data_dir"), "data_dir", this::path, baseDir.resolve("cdp-access-data"));
            ZoneId zone = value(top.get("zone"), "zone", ConfigLoader::zone, ZoneId.systemDefault());
            Duration deadline = value(top.get("deadline"), "deadline", ConfigLoader::deadline, DEFAULT_DEADLINE);
            StoreConfig store = store(top.get("store"), dataDir);
            List<InstanceConfig> instances = instances(top.get("instances"));
            List<Cidr> trustedProxies = list(top.get("trusted_proxies"), "trusted_proxies", Cidr::parse);
            Optional<TlsConfig> tls = tls(top.get("tls"));
            AuthFailureLimit limit = authFailures(top.get("auth_failures"));
            Optional<PolicySpec> policy = top.containsKey("policy") ? Optional.of(policy(top.get("policy")))
                    : Optional.empty();
            MetricsConfig metrics = metrics(top.get("metrics"));
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new ServiceConfig(Path.of(fileName), listen, dataDir, zone, deadline, store, instances,
                    trustedProxies, tls, limit, policy, metrics);
        }

        /** A document holding only a {@code policy} key, such as the shipped default policy. */
        PolicySpec readPolicyDocument(Node root) throws ConfigException {
            if (root == null) {
                throw new ConfigException(fileName + ": the file is empty");
            }
            Map<String, Node> top = mapping(root, "", Set.of("policy"));
            PolicySpec spec = top.containsKey("policy") ? policy(top.get("policy")) : null;
            if (spec == null && problems.isEmpty()) {
                problems.add(fileName + ":1: policy: is required");
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return spec;
        }

        private PolicySpec policy(Node node) {
            Map<String, Node> m = mapping(node, "policy", Set.of("rules"));
            List<RuleSpec> rules = new ArrayList<>();
            Node list = m.get("rules");
            if (list == null) {
                problem(node, "policy.rules", "is required: a list of {name, effect, when, description}");
            } else if (!(list instanceof SequenceNode seq)) {
                problem(list, "policy.rules", "expected a list of rules");
            } else {
                for (int i = 0; i < seq.getValue().size(); i++) {
                    Node item = seq.getValue().get(i);
                    String path = "policy.rules[" + i + "]";
                    Map<String, Node> r = mapping(item, path, Set.of("name", "effect", "when", "description"));
                    String name = required(r, item, path, "name", Function.identity());
                    RuleEffect effect = required(r, item, path, "effect", ConfigLoader::effect);
                    String when = required(r, item, path, "when", Function.identity());
                    String description = value(r.get("description"), path + ".description", Function.identity(), "");
                    if (name != null && effect != null && when != null) {
                        Node at = r.get("when");
                        rules.add(new RuleSpec(name, effect, when, description,
                                fileName + ":" + (at.getStartMark().getLine() + 1)));
                    }
                }
            }
            return new PolicySpec(rules, fileName);
        }

        private StoreConfig store(Node node, Path dataDir) {
            Map<String, Node> m = node == null ? Map.of()
                    : mapping(node, "store", Set.of("url", "user", "password", "pool_size", "refresh_interval"));
            String url = value(m.get("url"), "store.url", ConfigLoader::jdbcUrl, StoreConfig.embeddedUrl(dataDir));
            String user = value(m.get("user"), "store.user", Function.identity(), "");
            Secret password = value(m.get("password"), "store.password", Secret::of, Secret.none());
            int poolSize = value(m.get("pool_size"), "store.pool_size", s -> intIn(s, 2, 200), 10);
            Duration refresh = value(m.get("refresh_interval"), "store.refresh_interval",
                    s -> durationIn(s, Duration.ofMillis(50), Duration.ofMinutes(10)), Duration.ofSeconds(1));
            return new StoreConfig(url, user, password, poolSize, refresh);
        }

        private List<InstanceConfig> instances(Node node) {
            if (node == null) {
                problems.add(fileName + ":1: instances: at least one REDCap instance is required "
                        + "(name, redcap_url, secret); see config/cdp-access.example.yaml");
                return List.of();
            }
            if (!(node instanceof SequenceNode seq)) {
                problem(node, "instances", "expected a list of instances");
                return List.of();
            }
            List<InstanceConfig> result = new ArrayList<>();
            Map<String, Node> seenNames = new LinkedHashMap<>();
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String path = "instances[" + i + "]";
                Map<String, Node> m = mapping(item, path, Set.of("name", "redcap_url", "secret", "allow_from"));
                String name = required(m, item, path, "name", s -> {
                    if (!INSTANCE_NAME.matcher(s).matches()) {
                        throw new IllegalArgumentException("use 1-32 lower-case letters, digits, '-' or '_', e.g. prod");
                    }
                    return s;
                });
                Optional<RedcapUrl> url = required(m, item, path, "redcap_url",
                        s -> s.equals("*") ? Optional.<RedcapUrl>empty() : Optional.of(RedcapUrl.parse(s)));
                CallerSecret secret = required(m, item, path, "secret", CallerSecret::parse);
                List<Cidr> allowFrom = list(m.get("allow_from"), path + ".allow_from", Cidr::parse);
                if (name != null && seenNames.putIfAbsent(name, item) != null) {
                    problem(m.get("name"), path + ".name", "instance name '" + name + "' is used twice");
                }
                if (secret != null) {
                    for (InstanceConfig other : result) {
                        if (other.secret().sameAs(secret)) {
                            problem(m.get("secret"), path + ".secret", "same secret as instance '" + other.name()
                                    + "'; each REDCap installation needs its own secret");
                        }
                    }
                }
                if (name != null && url != null && secret != null) {
                    result.add(new InstanceConfig(name, url, secret, allowFrom));
                }
            }
            if (seq.getValue().isEmpty()) {
                problem(node, "instances", "at least one REDCap instance is required");
            }
            return result;
        }

        private Optional<TlsConfig> tls(Node node) {
            if (node == null) {
                return Optional.empty();
            }
            Map<String, Node> m = mapping(node, "tls", Set.of("keystore", "keystore_password", "certificate", "private_key"));
            Optional<Path> keystore = Optional.ofNullable(value(m.get("keystore"), "tls.keystore", this::existingFile, null));
            Secret password = value(m.get("keystore_password"), "tls.keystore_password", Secret::of, Secret.none());
            Optional<Path> cert = Optional.ofNullable(value(m.get("certificate"), "tls.certificate", this::existingFile, null));
            Optional<Path> key = Optional.ofNullable(value(m.get("private_key"), "tls.private_key", this::existingFile, null));
            boolean pem = m.containsKey("certificate") || m.containsKey("private_key");
            if (m.containsKey("keystore") == pem) {
                problem(node, "tls", "give either keystore (PKCS#12) or certificate and private_key (PEM)");
            } else if (pem && (!m.containsKey("certificate") || !m.containsKey("private_key"))) {
                problem(node, "tls", "PEM needs both certificate and private_key");
            }
            return Optional.of(new TlsConfig(keystore, password, cert, key));
        }

        private AuthFailureLimit authFailures(Node node) {
            if (node == null) {
                return AuthFailureLimit.DEFAULT;
            }
            Map<String, Node> m = mapping(node, "auth_failures", Set.of("limit", "window"));
            int limit = value(m.get("limit"), "auth_failures.limit", s -> intIn(s, 1, 1_000_000),
                    AuthFailureLimit.DEFAULT.failures());
            Duration window = value(m.get("window"), "auth_failures.window",
                    s -> durationIn(s, Duration.ofSeconds(1), Duration.ofDays(1)), AuthFailureLimit.DEFAULT.window());
            return new AuthFailureLimit(limit, window);
        }

        private MetricsConfig metrics(Node node) {
            if (node == null) {
                return MetricsConfig.DEFAULT;
            }
            Map<String, Node> m = mapping(node, "metrics", Set.of("enabled", "allow_from"));
            boolean enabled = value(m.get("enabled"), "metrics.enabled", ConfigLoader::bool, true);
            Node allowNode = m.get("allow_from");
            if (allowNode == null) {
                return new MetricsConfig(enabled, MetricsConfig.DEFAULT.allowFrom());
            }
            if (allowNode instanceof SequenceNode seq && seq.getValue().isEmpty()) {
                // An empty instance allow_from means "anywhere"; here it would mean "nobody". Neither
                // reading is safe to guess, so ask for what was meant.
                problem(allowNode, "metrics.allow_from", "is empty; list the networks of your Prometheus server "
                        + "(e.g. [10.0.0.5/32]), or set metrics.enabled: false");
            }
            return new MetricsConfig(enabled, list(allowNode, "metrics.allow_from", Cidr::parse));
        }

        private Path path(String text) {
            return baseDir.resolve(text).normalize();
        }

        private Path existingFile(String text) {
            Path p = path(text);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("file not found: " + p);
            }
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("file not readable: " + p);
            }
            return p;
        }

        // ---- generic node access, recording problems with their line ----

        private Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
            if (!(node instanceof MappingNode mapping)) {
                problem(node, path.isEmpty() ? "(top level)" : path, "expected a mapping of keys to values");
                return Map.of();
            }
            Map<String, Node> result = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
                String keyPath = path.isEmpty() ? key : path + "." + key;
                if (key == null || !allowed.contains(key)) {
                    problem(tuple.getKeyNode(), keyPath == null ? path : keyPath,
                            "unknown key; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
                } else if (result.putIfAbsent(key, tuple.getValueNode()) != null) {
                    // compose() skips LoaderOptions' duplicate-key check (only construction applies
                    // it), and a second allow_from silently replacing the first would be dangerous.
                    problem(tuple.getKeyNode(), keyPath, "is given twice; keep one");
                }
            }
            return result;
        }

        private <T> T required(Map<String, Node> m, Node parent, String path, String key, Function<String, T> parser) {
            if (!m.containsKey(key)) {
                problem(parent, path + "." + key, "is required");
                return null;
            }
            return value(m.get(key), path + "." + key, parser, null);
        }

        private <T> T value(Node node, String path, Function<String, T> parser, T fallback) {
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
            String text = substitute(scalar, path);
            if (text == null) {
                return fallback;
            }
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                problem(node, path, e.getMessage());
                return fallback;
            }
        }

        private <T> List<T> list(Node node, String path, Function<String, T> parser) {
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof SequenceNode seq)) {
                problem(node, path, "expected a list, e.g. [10.0.0.0/8, \"2001:db8::/32\"]");
                return List.of();
            }
            List<T> result = new ArrayList<>();
            for (int i = 0; i < seq.getValue().size(); i++) {
                T v = value(seq.getValue().get(i), path + "[" + i + "]", parser, null);
                if (v != null) {
                    result.add(v);
                }
            }
            return result;
        }

        private String substitute(ScalarNode node, String path) {
            String raw = node.getValue();
            var matcher = ENV_REFERENCE.matcher(raw);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String replacement;
                if (matcher.group().equals("$$")) {
                    replacement = "$";
                } else {
                    String value = environment.get(matcher.group(1));
                    if (matcher.group(2) != null && (value == null || value.isEmpty())) {
                        value = matcher.group(3); // as in the shell: the default also replaces ""
                    }
                    if (value == null) {
                        problem(node, path, "environment variable " + matcher.group(1)
                                + " is not set (write ${" + matcher.group(1) + ":-default} to give a default)");
                        return null;
                    }
                    replacement = value;
                }
                matcher.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
            }
            matcher.appendTail(out);
            return out.toString();
        }

        private void problem(Node node, String path, String message) {
            int line = node == null ? 0 : node.getStartMark().getLine() + 1;
            problems.add(fileName + ":" + line + ": " + path + ": " + message);
        }
    }

    private static boolean bool(String text) {
        return switch (text.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static RuleEffect effect(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "allow" -> RuleEffect.ALLOW;
            case "deny" -> RuleEffect.DENY;
            default -> throw new IllegalArgumentException("must be allow or deny");
        };
    }

    /**
     * Reads a document whose only key is {@code policy} (the shipped default policy, or a file of
     * rules), reporting problems against {@code origin}.
     */
    public PolicySpec loadPolicy(String origin, String yaml) throws ConfigException {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new java.io.StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(origin + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(origin + ": not valid YAML: " + e.getMessage());
        }
        return new Reading(origin, Path.of(".")).readPolicyDocument(root);
    }

    private static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone; use a name such as America/Chicago or UTC");
        }
    }

    private static Duration deadline(String text) {
        return durationIn(text, Duration.ofMillis(100), MAX_DEADLINE);
    }

    private static Duration durationIn(String text, Duration min, Duration max) {
        Duration d = Durations.parse(text);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("must be between " + Durations.format(min) + " and " + Durations.format(max));
        }
        return d;
    }

    private static int intIn(String text, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
        }
        return n;
    }

    private static String jdbcUrl(String text) {
        if (!(text.startsWith("jdbc:h2:") || text.startsWith("jdbc:postgresql:") || text.startsWith("jdbc:mariadb:"))) {
            throw new IllegalArgumentException("supported databases: jdbc:h2:, jdbc:postgresql:, jdbc:mariadb:");
        }
        return text;
    }
}
