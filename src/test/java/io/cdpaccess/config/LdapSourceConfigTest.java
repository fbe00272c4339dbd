package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ldap} entries of {@code sources:}, read as {@link ConfigLoaderTest} reads the rest. */
class LdapSourceConfigTest {

    private static final String INSTANCE = """
            instances:
              - name: prod
                redcap_url: https://redcap.example.edu/
                secret: prod-secret-0123456789abcdef
            """;

    @TempDir
    Path dir;

    private Path write(String sources) throws Exception {
        return Files.writeString(dir.resolve("cdp-access.yaml"), INSTANCE + sources);
    }

    private static List<String> problems(Path file, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(env).load(file));
        assertThat(e).as("expected the configuration to be refused").isNotNull();
        return e.problems();
    }

    @Test
    void readsEveryKeyOfAnLdapSource() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path file = write("""
                sources:
                  - name: ldap
                    type: ldap
                    timeout: 1500ms
                    url: [ldap://dc1.example.edu, ldap://dc2.example.edu:3268]
                    start_tls: true
                    trust_store: ca.pem
                    bind_dn: CN=cdp-access,OU=Services,DC=example,DC=edu
                    bind_password: ${LDAP_PASSWORD}
                    pool_size: 8
                    user_base: OU=People,DC=example,DC=edu
                    user_filter: (&(objectClass=user)(sAMAccountName={user}))
                    attributes:
                      mail: string
                      memberOf: list
                      employeeID: int
                      cdpTrained: bool
                      pwdLastSet: timestamp
                    groups: ad
                    group_base: OU=Groups,DC=example,DC=edu
                    disabled_attribute: nsAccountLock
                    max_nesting: 5
                """);

        ServiceConfig config = new ConfigLoader(Map.of("LDAP_PASSWORD", "s3cret-bind")).load(file);

        SourceConfig source = config.sources().get(0);
        assertThat(source.timeout()).isEqualTo(Duration.ofMillis(1500));
        LdapSettings s = (LdapSettings) source.settings();
        assertThat(s.urls()).containsExactly("ldap://dc1.example.edu", "ldap://dc2.example.edu:3268");
        assertThat(s.startTls()).isTrue();
        assertThat(s.trustStore()).contains(dir.resolve("ca.pem"));
        assertThat(s.bindDn()).contains("CN=cdp-access,OU=Services,DC=example,DC=edu");
        assertThat(s.bindPassword().reveal()).isEqualTo("s3cret-bind");
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.userBase()).isEqualTo("OU=People,DC=example,DC=edu");
        assertThat(s.userFilter()).isEqualTo("(&(objectClass=user)(sAMAccountName={user}))");
        assertThat(s.attributes())
                .as("in the order written: the order of ldap.attributes' fields")
                .containsExactly(
                        Map.entry("mail", "string"),
                        Map.entry("memberOf", "list"),
                        Map.entry("employeeID", "int"),
                        Map.entry("cdpTrained", "bool"),
                        Map.entry("pwdLastSet", "timestamp"));
        assertThat(s.groups()).isEqualTo(LdapSettings.GroupMode.AD);
        assertThat(s.groupBase()).contains("OU=Groups,DC=example,DC=edu");
        assertThat(s.disabledAttribute()).contains("nsAccountLock");
        assertThat(s.maxNesting()).isEqualTo(5);
        assertThat(s.toString()).doesNotContain("s3cret-bind");
    }

    @Test
    void groupsAdWithoutGroupBaseIsRefused() throws Exception {
        Path file = write("""
                sources:
                  - name: ldap
                    type: ldap
                    url: ldaps://dc1.example.edu
                    user_base: OU=People,DC=example,DC=edu
                    user_filter: (sAMAccountName={user})
                    groups: ad
                """);

        assertThat(problems(file, Map.of()))
                .containsExactly(dir.resolve("cdp-access.yaml")
                        + ":11: sources[0].group_base: groups: ad asks for nested groups under"
                        + " group_base; set it, e.g. OU=Groups,DC=example,DC=edu");
    }

    @Test
    void aBindDnWithoutAPasswordIsRefusedRatherThanBindingAnonymously() throws Exception {
        Path file = write("""
                sources:
                  - name: ldap
                    type: ldap
                    url: ldap://ldap.example.org
                    bind_dn: cn=cdp-access,dc=example,dc=org
                    bind_password: ${LDAP_PASSWORD}
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (uid={user})
                """);

        assertThat(problems(file, Map.of("LDAP_PASSWORD", "")))
                .containsExactly(
                        dir.resolve("cdp-access.yaml") + ":9: sources[0].bind_password: bind_dn needs a password, e.g."
                                + " bind_password: ${LDAP_PASSWORD}; leave both out to bind anonymously");
    }

    @Test
    void aPasswordWithoutABindDnIsRefused() throws Exception {
        Path file = write("""
                sources:
                  - name: ldap
                    type: ldap
                    url: ldap://ldap.example.org
                    bind_password: hunter2-not-shown
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (uid={user})
                """);

        assertThat(problems(file, Map.of()))
                .containsExactly(dir.resolve("cdp-access.yaml")
                        + ":9: sources[0].bind_dn: bind_password is set but bind_dn is not; set bind_dn");
    }

    @Test
    void anonymousWithoutGroupBaseIsFineAndTheDefaultsApply() throws Exception {
        Path file = write("""
                sources:
                  - name: directory
                    type: ldap
                    url: ldap://ldap.example.org
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (uid={user})
                """);

        LdapSettings s = (LdapSettings)
                new ConfigLoader(Map.of()).load(file).sources().get(0).settings();

        assertThat(s.bindDn()).isEmpty();
        assertThat(s.groups()).isEqualTo(LdapSettings.GroupMode.DIRECT);
        assertThat(s.groupBase()).isEqualTo(Optional.empty());
        assertThat(s.maxNesting()).isEqualTo(10);
        assertThat(s.poolSize()).isEqualTo(4);
    }
}
