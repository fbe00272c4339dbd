package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;

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

    @TempDir
    Path dir;

    private Path write(String sources) throws Exception {
        return ConfigFiles.write(dir, ConfigFiles.INSTANCE, sources);
    }

    private static List<String> problems(Path file, Map<String, String> env) {
        return ConfigFiles.problems(file, env);
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

    private static final String MINIMAL = """
                url: ldap://ldap.example.org
                user_base: ou=people,dc=example,dc=org
                user_filter: (uid={user})
            """;

    @Test
    void theSettingsEverySourceHasAreReadForAnLdapSource() throws Exception {
        Path file = write("""
                sources:
                  - name: redcap_ldap
                    type: LDAP
                    max_concurrent: 32
                    cache: {found: 10m, not_found: 30s, stale_if_error: 1h, max_entries: 500}
                    identity: {strip_domain: true, replace: '(.*)-adm', with: '$1', add_domain: '@example.org'}
                """ + MINIMAL + """
                  - name: ehr
                    type: ldap
                    identity: {via: redcap_ldap.dn}
                """ + MINIMAL);

        List<SourceConfig> sources = new ConfigLoader(Map.of()).load(file).sources();

        SourceConfig first = sources.get(0);
        assertThat(first.type()).isEqualTo("ldap");
        assertThat(first.origin()).isEqualTo(file + ":6");
        assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(first.maxConcurrent()).isEqualTo(32);
        assertThat(first.cache())
                .isEqualTo(new SourceConfig.SourceCache(
                        Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofHours(1), 500));
        assertThat(first.identity())
                .isEqualTo(new IdentityMapping(
                        Optional.empty(),
                        true,
                        Optional.of(new IdentityMapping.Replace("(.*)-adm", "$1")),
                        Optional.of("example.org")));
        assertThat(sources.get(1).identity().viaSource()).contains("redcap_ldap");
        assertThat(sources.get(1).identity().viaFact()).contains("dn");
        assertThat(sources.get(1).cache()).isEqualTo(SourceConfig.SourceCache.DEFAULT);
    }

    @Test
    void everyMistakeInAnLdapEntryIsOneProblemWithItsLine() throws Exception {
        Path file = write("""
                sources:
                  - name: Directory
                    type: ldap
                    url: http://ldap.example.org
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (uid=jdoe)
                  - name: now
                    type: ldap
                    url: [ldaps://a.example.org, ldaps://b.example.org]
                    start_tls: true
                    user_base: ou=people,dc=example,dc=org
                    user_filter: (uid={user})
                    attributes: {mail: float, bad-name: string}
                    groups: recursive
                    password: nope
                  - name: dup
                    type: ldap
                    identity: {replace: '(.*)'}
                """ + MINIMAL + """
                  - name: dup
                    type: ldap
                    identity: {via: nowhere.dn, add_domain: 'not a domain', replace: '(', with: x}
                """ + MINIMAL + """
                  - name: loop_a
                    type: ldap
                    identity: {via: loop_b.dn}
                """ + MINIMAL + """
                  - name: loop_b
                    type: ldap
                    identity: {via: 'loop_a'}
                """ + MINIMAL + """
                  - name: other
                    type: ldapish
                """);

        List<String> problems = problems(file, Map.of());

        String at = dir.resolve("cdp-access.yaml") + ":";
        assertThat(problems)
                .contains(
                        at + "6: sources[0].name: use 1-32 lower-case letters, digits or '_', starting with a letter"
                                + " (rules read it: ldap.groups)",
                        at + "8: sources[0].url: expected ldap://host:389 or ldaps://host:636",
                        at + "10: sources[0].user_filter: must contain {user}, e.g."
                                + " (&(objectClass=user)(sAMAccountName={user}))",
                        at + "11: sources[1].name: 'now' is a variable of the service itself; choose another name",
                        at + "14: sources[1].start_tls: StartTLS is for ldap:// URLs; ldaps:// is TLS already",
                        at + "17: sources[1].attributes.mail: expected string, list, int, bool or timestamp",
                        at + "17: sources[1].attributes.bad-name: rules read it as a field; use an attribute name"
                                + " of letters, digits and _",
                        at + "18: sources[1].groups: expected ad, nested or direct",
                        at + "22: sources[2].identity: replace and with go together: replace: '(.*)@old\\.edu',"
                                + " with: '$1'",
                        at + "26: sources[3].name: source name 'dup' is used twice",
                        at + "28: sources[3].identity.add_domain: expected a domain such as example.edu",
                        at + "40: sources[5].identity.via: expected source.fact, e.g. redcap.ehr_usernames")
                .anySatisfy(p -> assertThat(p)
                        .startsWith(at + "45: sources[6].type: unknown source type 'ldapish'; expected one of ldap, "
                                + "redcapdb"))
                .anySatisfy(p -> assertThat(p).startsWith(at + "19: sources[1].password: is not a setting of a ldap"))
                .anySatisfy(p -> assertThat(p).startsWith(at + "28: sources[3].identity.replace: not a regular"))
                .anySatisfy(p -> assertThat(p).contains("sources.dup.identity.via: no source is named 'nowhere'"));
    }

    @Test
    void sourcesWhoseKeysDependOnEachOtherInACycleAreRefused() throws Exception {
        Path file = write("""
                sources:
                  - name: loop_a
                    type: ldap
                    identity: {via: loop_b.dn}
                """ + MINIMAL + """
                  - name: loop_b
                    type: ldap
                    identity: {via: loop_a.dn}
                """ + MINIMAL);

        assertThat(problems(file, Map.of()))
                .anySatisfy(p -> assertThat(p)
                        .endsWith("sources.loop_a.identity.via: the sources' keys depend on each other in a cycle:"
                                + " loop_a <- loop_b <- loop_a"));
    }
}
