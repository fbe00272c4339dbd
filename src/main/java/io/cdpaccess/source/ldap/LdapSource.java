package io.cdpaccess.source.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKind;
import io.cdpaccess.source.SourceTrust;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@code ldap} source kind: a user's entry in Active Directory or OpenLDAP, and their groups.
 *
 * <p>Facts, for a source named {@code ldap}:
 *
 * <ul>
 *   <li>{@code ldap.found} (bool): {@code user_filter} matched one entry under {@code user_base};
 *   <li>{@code ldap.dn} (string): its DN as the directory spells it;
 *   <li>{@code ldap.group_dns} (list of strings, sorted): the DNs of its groups, nested ones
 *       included as {@code groups:} says — {@code ad}: AD's in-chain matching rule under
 *       {@code group_base}; {@code nested}: groups listing the user (or a group of the user) in
 *       {@code member}/{@code uniqueMember} under {@code group_base}, or without {@code
 *       group_base} the entries' {@code memberOf}, followed up to {@code max_nesting} levels;
 *       {@code direct}: the same, one level. Rules should prefer these to names: a group of the
 *       same name can be made elsewhere in the directory, and only {@code group_base} is searched;
 *   <li>{@code ldap.groups} (list of strings, sorted, distinct): the same groups' names (their DN's
 *       {@code cn});
 *   <li>{@code ldap.disabled} (bool): AD's {@code userAccountControl} has bit 2 (ACCOUNTDISABLE), or
 *       {@code disabled_attribute} is present with any value but {@code FALSE};
 *   <li>{@code ldap.account_expires} (timestamp): AD's {@code accountExpires}; unset when the
 *       account never expires (0 or {@code 0x7FFFFFFFFFFFFFFF}, or no such attribute). While it
 *       lies ahead it is the answer's {@code changesAt}, so no cached answer outlives it;
 *   <li>{@code ldap.attributes.<name>}: each exposed attribute, as its type says — {@code string}
 *       the first value, {@code list} all values ({@code []} when there are none), {@code int},
 *       {@code bool} ({@code TRUE}/{@code FALSE}), {@code timestamp} (GeneralizedTime, or AD's
 *       FILETIME when the value is all digits); unset when the entry has no value, or one that
 *       does not read as the type (logged).
 * </ul>
 *
 * <p>A user the filter does not match is {@code found: false, groups: [], group_dns: []} and
 * nothing else: {@code dn}, {@code disabled}, {@code account_expires} and {@code attributes} are
 * unset, so a rule reading them fails (and denies) unless it asks {@code !ldap.found || ...} or
 * {@code has(...)} first. A filter matching two entries is an error, not a guess.
 *
 * <p>The key is RFC 4515-escaped before it replaces {@code {user}}, so {@code *}, parentheses, a
 * backslash or NUL in a username are literal characters, never filter syntax.
 */
public final class LdapSource implements SourceKind {

    public LdapSource() {}

    @Override
    public FactType.Struct facts(SourceConfig source) {
        LdapSettings settings = settings(source);
        Map<String, FactType> attributes = new LinkedHashMap<>();
        settings.attributes().forEach((name, type) -> attributes.put(name, attributeType(type)));
        FactType strings = new FactType.ListOf(FactType.Scalar.STRING);
        return FactType.Struct.of(
                SourceKind.typeName(source),
                "found",
                FactType.Scalar.BOOL,
                "dn",
                FactType.Scalar.STRING,
                "groups",
                strings,
                "group_dns",
                strings,
                "disabled",
                FactType.Scalar.BOOL,
                "account_expires",
                FactType.Scalar.TIMESTAMP,
                "attributes",
                new FactType.Struct(SourceKind.typeName(source, "attributes"), attributes));
    }

    /** A user with no key (none came {@code via} another source) is one the directory does not have. */
    @Override
    public SourceAnswer unknownKey() {
        return LdapClient.notFound();
    }

    /** LDAP facts are the user's; the project plays no part. */
    @Override
    public boolean perProject(SourceConfig source) {
        return false;
    }

    /**
     * Checks the settings and reads the trust store; connects to nothing: the first lookup does,
     * so a directory that is down at start fails lookups, not the start.
     */
    @Override
    public SourceClient open(SourceConfig source, Clock clock) throws SourceException {
        LdapSettings s = settings(source);
        String name = source.name();
        check(s, name);
        boolean tls = s.startTls() || s.urls().stream().anyMatch(u -> u.startsWith("ldaps:"));
        Optional<SSLSocketFactory> sockets = Optional.empty();
        if (tls || s.trustStore().isPresent()) {
            SSLUtil ssl = new SSLUtil(SourceTrust.trustManager(s.trustStore(), s.trustStorePassword(), name));
            try {
                sockets = Optional.of(ssl.createSSLSocketFactory());
            } catch (GeneralSecurityException e) {
                throw new SourceException(
                        "ldap source '" + name + "': this JVM cannot make TLS connections (" + e.getMessage() + ")", e);
            }
        }
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        long timeout = Math.max(1, source.timeout().toMillis());
        // Every URL gets an equal share of the timeout to connect, so that trying them all in
        // turn stays within it; what follows the connect waits only for what is left.
        options.setConnectTimeoutMillis((int) Math.max(1, timeout / s.urls().size()));
        options.setResponseTimeoutMillis(timeout);
        options.setAbandonOnTimeout(true);
        options.setFollowReferrals(false);
        // The URL's host must be in the certificate's subject alternative names (wildcards
        // allowed); its CN is not looked at when it has them, as RFC 6125 and browsers do.
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true, false));
        List<ServerSet> servers = new ArrayList<>();
        for (String url : s.urls()) {
            LDAPURL u;
            try {
                u = new LDAPURL(url);
            } catch (LDAPException e) {
                throw new SourceException(
                        "ldap source '" + name + "': url " + url + " is not an LDAP URL; expected ldap://host:389", e);
            }
            SocketFactory factory = u.getScheme().equals("ldaps") ? sockets.orElseThrow() : SocketFactory.getDefault();
            servers.add(new SingleServerSet(u.getHost(), u.getPort(), factory, options));
        }
        ServerSet serverSet = servers.size() == 1 ? servers.get(0) : new FailoverServerSet(servers);
        LdapConnections connections = new LdapConnections(
                serverSet, s.startTls() ? sockets : Optional.empty(), s.bindDn(), s.bindPassword(), s.poolSize());
        return new LdapClient(
                source, connections, new LdapFailures(name, String.join(", ", s.urls()), source.timeout()));
    }

    private static LdapSettings settings(SourceConfig source) {
        if (!(source.settings() instanceof LdapSettings settings)) {
            throw new IllegalArgumentException("source '" + source.name() + "' is not an ldap source");
        }
        return settings;
    }

    /** What the configuration loader checks too, for settings made in code. */
    private static void check(LdapSettings s, String name) throws SourceException {
        String where = "ldap source '" + name + "': ";
        if (s.groups() == LdapSettings.GroupMode.AD && s.groupBase().isEmpty()) {
            throw new SourceException(where + "groups: ad needs group_base");
        }
        if (s.bindDn().isPresent() && s.bindPassword().isEmpty()) {
            throw new SourceException(where + "bind_dn needs bind_password (an empty one would bind anonymously)");
        }
        try {
            Filter.create(s.userFilter().replace("{user}", "x"));
        } catch (LDAPException e) {
            throw new SourceException(
                    where + "user_filter is not an LDAP filter (" + UnsafeText.escape(e.getMessage())
                            + "); e.g. (&(objectClass=person)(uid={user}))",
                    e);
        }
        List<String> bases = new ArrayList<>(List.of(s.userBase()));
        s.groupBase().ifPresent(bases::add);
        for (String base : bases) {
            if (!DN.isValidDN(base)) {
                throw new SourceException(where + base + " is not a DN; e.g. ou=people,dc=example,dc=edu");
            }
        }
    }

    private static FactType attributeType(String type) {
        return switch (type) {
            case "string" -> FactType.Scalar.STRING;
            case "list" -> new FactType.ListOf(FactType.Scalar.STRING);
            case "int" -> FactType.Scalar.INT;
            case "bool" -> FactType.Scalar.BOOL;
            case "timestamp" -> FactType.Scalar.TIMESTAMP;
            default -> throw new IllegalArgumentException("unknown attribute type '" + type + "'");
        };
    }
}
