package io.cdpaccess.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An LDAP directory (Active Directory or OpenLDAP) as a fact source.
 *
 * @param urls one or several {@code ldap://} or {@code ldaps://} URLs, tried in order (failover)
 * @param startTls whether {@code ldap://} connections upgrade with StartTLS before binding
 * @param trustStore the directory's CA (PKCS#12 or PEM), else the JVM's trusted CAs
 * @param trustStorePassword the trust store's password, if it has one
 * @param bindDn the account the service binds as; none for an anonymous bind
 * @param bindPassword its password (from the environment)
 * @param poolSize connections kept open
 * @param userBase where users are searched
 * @param userFilter the search filter, {@code {user}} replaced by the RFC 4515-escaped key
 * @param attributes exposed attributes by name, with their fact type ({@code string}, {@code
 *     list}, {@code int}, {@code bool}, {@code timestamp})
 * @param groups how group membership is read
 * @param groupBase where groups are searched by their {@code member} values (and the only groups
 *     counted); without it {@code direct} and {@code nested} read the entries' {@code memberOf};
 *     {@code ad} needs it
 * @param disabledAttribute for directories without AD's {@code userAccountControl}: an attribute
 *     whose presence with any value but {@code FALSE} marks a disabled account ({@code
 *     nsAccountLock: TRUE}, {@code pwdAccountLockedTime})
 * @param maxNesting how many levels of groups within groups are followed above the user's own
 *     groups ({@code nested}); a directory nested deeper is an error, not a shorter list
 */
public record LdapSettings(
        List<String> urls,
        boolean startTls,
        Optional<Path> trustStore,
        Secret trustStorePassword,
        Optional<String> bindDn,
        Secret bindPassword,
        int poolSize,
        String userBase,
        String userFilter,
        Map<String, String> attributes,
        GroupMode groups,
        Optional<String> groupBase,
        Optional<String> disabledAttribute,
        int maxNesting)
        implements SourceSettings {

    public LdapSettings {
        urls = List.copyOf(urls);
        // in configuration order: the order of the fields of ldap.attributes
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    @Override
    public String type() {
        return "ldap";
    }

    /** How group membership is read. */
    public enum GroupMode {
        /** Active Directory: nested membership by the in-chain matching rule 1.2.840.113556.1.4.1941. */
        AD,
        /** Any directory: {@code memberOf} or groups' {@code member} values, followed recursively. */
        NESTED,
        /** Only the groups the user is a direct member of. */
        DIRECT
    }
}
