package io.cdpaccess.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The keys of a {@code type: ldap} source: Active Directory or OpenLDAP. */
final class LdapSection implements SourceKindSection {

    private static final Set<String> KEYS = Set.of(
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

    private final NodeReader in;
    private final Path baseDir;

    LdapSection(NodeReader in, Path baseDir) {
        this.in = in;
        this.baseDir = baseDir;
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public LdapSettings read(Map<String, Node> m, Node item, String path) {
        List<String> urls = m.get("url") instanceof SequenceNode
                ? in.list(m.get("url"), path + ".url", LdapSection::ldapUrl)
                : Optional.ofNullable(in.required(m, item, path, "url", LdapSection::ldapUrl))
                        .map(List::of)
                        .orElse(List.of());
        boolean startTls = in.value(m.get("start_tls"), path + ".start_tls", ConfigLoader::bool, false);
        Optional<Path> trustStore = Optional.ofNullable(in.value(
                m.get("trust_store"), path + ".trust_store", s -> SourceKindSection.readableFile(baseDir, s), null));
        Secret trustPassword =
                in.value(m.get("trust_store_password"), path + ".trust_store_password", Secret::of, Secret.none());
        Optional<String> bindDn =
                Optional.ofNullable(in.value(m.get("bind_dn"), path + ".bind_dn", Function.identity(), null));
        Secret bindPassword = in.value(m.get("bind_password"), path + ".bind_password", Secret::of, Secret.none());
        int pool = in.value(m.get("pool_size"), path + ".pool_size", s -> ConfigLoader.intIn(s, 1, 100), 4);
        String userBase = in.required(m, item, path, "user_base", Function.identity());
        String userFilter = in.required(m, item, path, "user_filter", LdapSection::userFilter);
        Map<String, String> attributes = new LinkedHashMap<>();
        Node attrs = m.get("attributes");
        if (attrs != null) {
            in.mapping(attrs, path + ".attributes", SourceKindSection.keysOf(attrs))
                    .forEach((attr, typeNode) -> {
                        String type =
                                in.value(typeNode, path + ".attributes." + attr, LdapSection::attributeType, null);
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
                in.value(m.get("groups"), path + ".groups", LdapSection::groupMode, LdapSettings.GroupMode.DIRECT);
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
}
