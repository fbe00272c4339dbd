package io.cdpaccess.source.ldap;

import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.testing.TestDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@code ldap} source's configuration as a test writes it: the defaults, then what the test changes. */
final class LdapConfigs {

    List<String> urls;
    boolean startTls;
    Optional<Path> trustStore = Optional.empty();
    Secret trustStorePassword = Secret.none();
    Optional<String> bindDn = Optional.of(TestDirectory.BIND_DN);
    Secret bindPassword = Secret.of(TestDirectory.BIND_PASSWORD);
    int poolSize = 2;
    String userBase;
    String userFilter;
    Map<String, String> attributes = new LinkedHashMap<>();
    LdapSettings.GroupMode groups = LdapSettings.GroupMode.DIRECT;
    Optional<String> groupBase = Optional.empty();
    Optional<String> disabledAttribute = Optional.empty();
    int maxNesting = 10;
    Duration timeout = Duration.ofSeconds(2);

    private LdapConfigs(String url, String userBase, String userFilter) {
        this.urls = List.of(url);
        this.userBase = userBase;
        this.userFilter = userFilter;
    }

    /** Active Directory: users by {@code sAMAccountName}, nested groups by the in-chain rule. */
    static LdapConfigs ad(String url) {
        LdapConfigs c = new LdapConfigs(
                url, "OU=People," + DirectoryTrees.AD_BASE, "(&(objectClass=user)(sAMAccountName={user}))");
        c.groups = LdapSettings.GroupMode.AD;
        c.groupBase = Optional.of(DirectoryTrees.AD_GROUPS);
        return c;
    }

    /** OpenLDAP: users by {@code uid}, nested groups by {@code member} under {@code ou=groups}. */
    static LdapConfigs openLdap(String url) {
        LdapConfigs c = new LdapConfigs(
                url, "ou=people," + DirectoryTrees.OL_BASE, "(&(objectClass=inetOrgPerson)(uid={user}))");
        c.groups = LdapSettings.GroupMode.NESTED;
        c.groupBase = Optional.of(DirectoryTrees.OL_GROUPS);
        return c;
    }

    LdapSettings settings() {
        return new LdapSettings(
                urls,
                startTls,
                trustStore,
                trustStorePassword,
                bindDn,
                bindPassword,
                poolSize,
                userBase,
                userFilter,
                attributes,
                groups,
                groupBase,
                disabledAttribute,
                maxNesting);
    }

    SourceConfig source() {
        return new SourceConfig(
                "ldap",
                "test.yaml:1",
                timeout,
                SourceConfig.SourceCache.DEFAULT,
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                settings());
    }
}
