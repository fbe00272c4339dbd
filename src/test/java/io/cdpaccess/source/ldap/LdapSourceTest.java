package io.cdpaccess.source.ldap;

import static io.cdpaccess.source.ldap.DirectoryTrees.AD_BASE;
import static io.cdpaccess.source.ldap.DirectoryTrees.AD_GROUPS;
import static io.cdpaccess.source.ldap.DirectoryTrees.OL_BASE;
import static io.cdpaccess.source.ldap.DirectoryTrees.OL_GROUPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.unboundid.ldap.sdk.LDAPException;
import io.cdpaccess.config.LdapSettings;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.CapturedLog;
import io.cdpaccess.testing.TestDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code ldap} source's facts, against UnboundID's in-memory directory holding an Active
 * Directory-like and an OpenLDAP-like tree ({@link DirectoryTrees}).
 *
 * <p>The in-memory server does not implement AD's in-chain matching rule
 * (1.2.840.113556.1.4.1941): {@code groups: ad} is tested through {@link AdInChainInterceptor},
 * which answers that rule's searches as AD does. What these tests show for {@code ad} is
 * therefore that the source asks the right question and reads the answer; that AD answers it so
 * is AD's documented behaviour, not something tested here.
 */
class LdapSourceTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static TestDirectory directory;
    private static AdInChainInterceptor inChain;

    @BeforeAll
    static void startDirectory() throws LDAPException {
        inChain = new AdInChainInterceptor(AD_BASE);
        directory = TestDirectory.start(
                DirectoryTrees.AD + "\n" + DirectoryTrees.OPENLDAP,
                List.of(inChain),
                TestDirectory.Listener.PLAIN,
                Optional.empty(),
                AD_BASE,
                OL_BASE);
        inChain.attach(directory.server());
    }

    @AfterAll
    static void stopDirectory() {
        directory.close();
    }

    private static SourceAnswer lookup(LdapConfigs config, String user) throws SourceException {
        try (SourceClient client = new LdapSource().open(config.source(), Clock.systemUTC())) {
            return client.lookup(new SourceKey(user, user, 7, "main", Optional.empty(), NOW));
        }
    }

    private static LdapConfigs ad() {
        return LdapConfigs.ad(directory.url());
    }

    private static LdapConfigs openLdap() {
        return LdapConfigs.openLdap(directory.url());
    }

    @Test
    void declaresItsFactsUnderTheSourcesOwnTypeNames() {
        LdapConfigs config = ad();
        config.attributes.put("mail", "string");
        config.attributes.put("employeeType", "list");
        config.attributes.put("employeeID", "int");
        config.attributes.put("cdpTrained", "bool");
        config.attributes.put("pwdLastSet", "timestamp");
        LdapSource kind = new LdapSource();
        FactType.Struct facts = kind.facts(config.source());

        FactType strings = new FactType.ListOf(FactType.Scalar.STRING);
        assertThat(facts.typeName()).isEqualTo("source.ldap");
        assertThat(facts.fields())
                .containsExactly(
                        Map.entry("found", FactType.Scalar.BOOL),
                        Map.entry("dn", FactType.Scalar.STRING),
                        Map.entry("groups", strings),
                        Map.entry("group_dns", strings),
                        Map.entry("disabled", FactType.Scalar.BOOL),
                        Map.entry("account_expires", FactType.Scalar.TIMESTAMP),
                        Map.entry("attributes", facts.fields().get("attributes")));
        FactType.Struct attributes = (FactType.Struct) facts.fields().get("attributes");
        assertThat(attributes.typeName()).isEqualTo("source.ldap.attributes");
        assertThat(attributes.fields())
                .containsExactly(
                        Map.entry("mail", FactType.Scalar.STRING),
                        Map.entry("employeeType", strings),
                        Map.entry("employeeID", FactType.Scalar.INT),
                        Map.entry("cdpTrained", FactType.Scalar.BOOL),
                        Map.entry("pwdLastSet", FactType.Scalar.TIMESTAMP));
        assertThat(kind.perProject(config.source())).isFalse();
    }

    @Test
    void anAdUserHasNestedGroupsThroughTheInChainRuleAndEveryFact() throws Exception {
        LdapConfigs config = ad();
        config.attributes.put("mail", "string");
        config.attributes.put("employeeID", "int");
        config.attributes.put("pwdLastSet", "timestamp");
        int before = inChain.inChainSearches.get();

        SourceAnswer alice = lookup(config, "alice");

        assertThat(inChain.inChainSearches.get())
                .as("the in-chain rule was asked for")
                .isEqualTo(before + 1);
        assertThat(alice.found()).isTrue();
        assertThat(alice.facts())
                .containsEntry("found", true)
                .containsEntry("dn", "CN=Alice Adams,OU=People," + AD_BASE)
                .containsEntry("groups", List.of("All Staff", "CDP Users", "Research"))
                .containsEntry(
                        "group_dns",
                        List.of("CN=All Staff," + AD_GROUPS, "CN=CDP Users," + AD_GROUPS, "CN=Research," + AD_GROUPS))
                .containsEntry("disabled", false)
                .containsEntry(
                        "attributes",
                        Map.of(
                                "mail",
                                "alice@example.edu",
                                "employeeID",
                                1001L,
                                "pwdLastSet",
                                DirectoryTrees.PWD_LAST_SET))
                .doesNotContainKey("account_expires"); // accountExpires: 0 is "never"
        assertThat(alice.changesAt()).isEmpty();
        // every value is one the fact type takes as it is
        assertThat(new LdapSource().facts(config.source()).canonical(alice.facts()))
                .isEqualTo(alice.facts());
    }

    @Test
    void userAccountControlBit2MarksADisabledAccount() throws Exception {
        SourceAnswer bob = lookup(ad(), "bob"); // 514 = NORMAL_ACCOUNT | ACCOUNTDISABLE
        SourceAnswer carol = lookup(ad(), "carol"); // 66048 = NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD

        assertThat(bob.facts()).containsEntry("disabled", true);
        assertThat(carol.facts()).containsEntry("disabled", false);
    }

    @Test
    void accountExpiresIsAFactAndAnExpiryAheadEndsTheAnswer() throws Exception {
        SourceAnswer carol = lookup(ad(), "carol");
        SourceAnswer erin = lookup(ad(), "erin");
        SourceAnswer bob = lookup(ad(), "bob"); // 0x7FFFFFFFFFFFFFFF: never

        assertThat(carol.facts()).containsEntry("account_expires", DirectoryTrees.CAROL_EXPIRES);
        assertThat(carol.changesAt()).contains(DirectoryTrees.CAROL_EXPIRES);
        assertThat(erin.facts()).containsEntry("account_expires", DirectoryTrees.ERIN_EXPIRED);
        assertThat(erin.changesAt())
                .as("already expired: nothing left to change")
                .isEmpty();
        assertThat(bob.facts()).doesNotContainKey("account_expires");
        assertThat(bob.changesAt()).isEmpty();
    }

    @Test
    void aMalformedUserAccountControlOrAccountExpiresFailsTheLookup() {
        assertThatThrownBy(() -> lookup(ad(), "broken"))
                .isInstanceOf(SourceException.class)
                .hasMessage("ldap source 'ldap': userAccountControl of CN=Broken Flags,OU=People," + AD_BASE
                        + " is not a number; check the entry in the directory");
        assertThatThrownBy(() -> lookup(ad(), "brokenexpiry"))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("accountExpires of CN=Broken Expiry");
    }

    @Test
    void anUnknownUserIsNotFoundWithNoGroupsAndNothingElse() throws Exception {
        SourceAnswer nobody = lookup(ad(), "nobody");

        assertThat(nobody.found()).isFalse();
        assertThat(nobody.facts())
                .containsExactly(
                        Map.entry("found", false), Map.entry("groups", List.of()), Map.entry("group_dns", List.of()));
        assertThat(nobody.changesAt()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*",
                "*)(uid=*",
                "*)(sAMAccountName=*",
                "alice)(|(objectClass=*",
                "*)(|(objectClass=*",
                "\\00",
                "\u0000",
                "alice\u0000",
                "\\2a",
                "\\",
                "(",
                ")",
                "a*",
                "*e",
                "a(b)*c*",
                ""
            })
    void filterSyntaxInAUsernameMatchesNothing(String user) throws Exception {
        assertThat(lookup(ad(), user).found()).isFalse();
        assertThat(lookup(openLdap(), user).found()).isFalse();
    }

    @Test
    void aUsernameWithFilterCharactersIsFoundAsItIsWritten() throws Exception {
        SourceAnswer odd = lookup(ad(), "a(b)*c\\d");

        assertThat(odd.facts()).containsEntry("dn", "CN=Odd Name,OU=People," + AD_BASE);
    }

    @Test
    void aFilterThatMatchesTwoEntriesIsAnErrorNotAGuess() {
        LdapConfigs config = ad();
        config.userFilter = "(|(sAMAccountName={user})(objectClass=user))";

        assertThatThrownBy(() -> lookup(config, "alice"))
                .isInstanceOf(SourceException.class)
                .hasMessage("ldap source 'ldap': user_filter matched more than one entry under OU=People," + AD_BASE
                        + " for one user; make it match exactly one (e.g. add objectClass)");
    }

    @Test
    void aGroupOfTheSameNameOutsideGroupBaseIsNotCounted() throws Exception {
        assertThat(lookup(ad(), "mallory").facts()).containsEntry("groups", List.of());

        LdapConfigs nested = openLdap();
        assertThat(lookup(nested, "mallory").facts()).containsEntry("groups", List.of());
        LdapConfigs direct = openLdap();
        direct.groups = LdapSettings.GroupMode.DIRECT;
        assertThat(lookup(direct, "mallory").facts()).containsEntry("group_dns", List.of());
    }

    @Test
    void withoutGroupBaseMemberOfCountsAnyGroupOfTheNameSoOnlyItsDnTellsThemApart() throws Exception {
        LdapConfigs config = openLdap();
        config.groupBase = Optional.empty();

        SourceAnswer mallory = lookup(config, "mallory");

        assertThat(mallory.facts())
                .containsEntry("groups", List.of("ehr-users"))
                .containsEntry("group_dns", List.of("cn=ehr-users,ou=other," + OL_BASE));
    }

    @Test
    void openLdapNestedGroupsAreReadFromGroupsMemberValuesUnderGroupBase() throws Exception {
        SourceAnswer olivia = lookup(openLdap(), "olivia");

        assertThat(olivia.facts())
                .containsEntry("dn", "uid=olivia,ou=people," + OL_BASE)
                .containsEntry("groups", List.of("clinicians", "ehr-users", "unique-club"))
                .containsEntry(
                        "group_dns",
                        List.of(
                                "cn=clinicians," + OL_GROUPS,
                                "cn=ehr-users," + OL_GROUPS,
                                "cn=unique-club," + OL_GROUPS))
                .containsEntry("disabled", false)
                .doesNotContainKey("account_expires");
    }

    @Test
    void openLdapNestedGroupsAreReadFromMemberOfWithoutGroupBase() throws Exception {
        LdapConfigs config = openLdap();
        config.groupBase = Optional.empty();

        // the memberOf overlay leaves groupOfUniqueNames out, as OpenLDAP does by default
        assertThat(lookup(config, "olivia").facts()).containsEntry("groups", List.of("clinicians", "ehr-users"));
    }

    @Test
    void directModeReadsOnlyTheUsersOwnGroups() throws Exception {
        LdapConfigs searched = openLdap();
        searched.groups = LdapSettings.GroupMode.DIRECT;
        LdapConfigs memberOf = openLdap();
        memberOf.groups = LdapSettings.GroupMode.DIRECT;
        memberOf.groupBase = Optional.empty();

        assertThat(lookup(searched, "olivia").facts()).containsEntry("groups", List.of("ehr-users", "unique-club"));
        assertThat(lookup(memberOf, "olivia").facts()).containsEntry("groups", List.of("ehr-users"));
    }

    @Test
    void groupsThatContainEachOtherAreFollowedOnce() throws Exception {
        LdapConfigs byMember = openLdap();
        LdapConfigs byMemberOf = openLdap();
        byMemberOf.groupBase = Optional.empty();

        for (LdapConfigs config : List.of(byMember, byMemberOf)) {
            assertThat(lookup(config, "cyril").facts()).containsEntry("groups", List.of("cycle-a", "cycle-b"));
        }
        // AD's cycle Research <-> All Staff, through the in-chain rule
        assertThat(lookup(ad(), "carol").facts()).containsEntry("groups", List.of("All Staff", "Research"));
    }

    @Test
    void groupsNestedDeeperThanMaxNestingAreAnErrorNotAShorterList() throws Exception {
        for (boolean withGroupBase : List.of(true, false)) {
            LdapConfigs deepEnough = openLdap();
            deepEnough.maxNesting = 4; // depth-1 is deena's own group; depth-5 is 4 levels above it
            LdapConfigs tooShallow = openLdap();
            tooShallow.maxNesting = 3;
            if (!withGroupBase) {
                deepEnough.groupBase = Optional.empty();
                tooShallow.groupBase = Optional.empty();
            }

            assertThat(lookup(deepEnough, "deena").facts())
                    .containsEntry("groups", List.of("depth-1", "depth-2", "depth-3", "depth-4", "depth-5"));
            assertThatThrownBy(() -> lookup(tooShallow, "deena"))
                    .isInstanceOf(SourceException.class)
                    .hasMessage("ldap source 'ldap': groups are nested more than max_nesting (3) levels above the"
                            + " user's own, e.g. cn=depth-5," + OL_GROUPS + "; raise max_nesting");
        }
    }

    @Test
    void exposedAttributesHaveTheirTypesAndAValueThatDoesNotReadIsLeftUnset() throws Exception {
        LdapConfigs config = openLdap();
        config.attributes.put("mail", "string");
        config.attributes.put("employeeType", "list");
        config.attributes.put("employeeNumber", "int");
        config.attributes.put("cdpTrained", "bool");
        config.attributes.put("cdpTrainedUntil", "timestamp");
        config.attributes.put("departmentNumber", "int"); // "cardiology"
        config.attributes.put("mail2", "bool"); // no such attribute
        config.attributes.put("telephoneNumber", "list"); // none: []
        config.attributes.put("cn", "timestamp"); // "Olivia Owens"
        config.attributes.put("sn", "bool"); // "Owens"

        SourceAnswer olivia;
        try (CapturedLog log = CapturedLog.of(LdapClient.class)) {
            olivia = lookup(config, "olivia");
            assertThat(log.at(Level.WARN))
                    .hasSize(3)
                    .anySatisfy(line -> assertThat(line)
                            .isEqualTo("ldap source 'ldap': attribute departmentNumber of \"uid=olivia,ou=people,"
                                    + OL_BASE + "\" does not read as int (\"cardiology\");"
                                    + " ldap.attributes.departmentNumber is left unset"));
        }

        assertThat(olivia.facts().get("attributes"))
                .isEqualTo(Map.of(
                        "mail",
                        "olivia@example.org",
                        "employeeType",
                        List.of("staff", "faculty"),
                        "employeeNumber",
                        2002L,
                        "cdpTrained",
                        true,
                        "cdpTrainedUntil",
                        Instant.parse("2027-06-30T12:00:00Z"),
                        "telephoneNumber",
                        List.of()));
    }

    @Test
    void aConfiguredAttributePresentWithAnyValueButFalseMarksADisabledAccount() throws Exception {
        LdapConfigs lockedTime = openLdap();
        lockedTime.disabledAttribute = Optional.of("pwdAccountLockedTime");
        LdapConfigs accountLock = openLdap();
        accountLock.disabledAttribute = Optional.of("nsAccountLock");

        assertThat(lookup(lockedTime, "lockie").facts()).containsEntry("disabled", true);
        assertThat(lookup(lockedTime, "olivia").facts()).containsEntry("disabled", false);
        assertThat(lookup(accountLock, "lockie").facts()).containsEntry("disabled", true);
        assertThat(lookup(accountLock, "nora").facts()).containsEntry("disabled", false);
        assertThat(lookup(openLdap(), "lockie").facts())
                .as("no disabled_attribute and no userAccountControl: nothing says disabled")
                .containsEntry("disabled", false);
    }

    @Test
    void aMemberOfNamingAGroupThatIsGoneCountsItWithoutFollowingIt() throws Exception {
        LdapConfigs config = openLdap();
        config.groupBase = Optional.empty();

        assertThat(lookup(config, "dangle").facts()).containsEntry("groups", List.of("gone"));
    }

    @Test
    void aUserBaseThatDoesNotExistIsAnErrorThatSaysWhichSetting() {
        LdapConfigs config = openLdap();
        config.userBase = "ou=nowhere," + OL_BASE;

        assertThatThrownBy(() -> lookup(config, "olivia"))
                .isInstanceOf(SourceException.class)
                .hasMessage("ldap source 'ldap' found no such base entry while searching ou=nowhere," + OL_BASE
                        + " for the user; check user_base and group_base");
    }

    @Test
    void anAttributeTypeTheLoaderWouldRefuseIsAProgrammingError() {
        LdapConfigs unknownType = ad();
        unknownType.attributes.put("mail", "float");

        assertThatThrownBy(() -> new LdapSource().facts(unknownType.source()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown attribute type 'float'");
    }

    @Test
    void oneClientServesManyThreadsAtOnce() throws Exception {
        LdapConfigs config = openLdap();
        config.poolSize = 2;
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try (SourceClient client = new LdapSource().open(config.source(), Clock.systemUTC())) {
            List<Future<SourceAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                String user = i % 2 == 0 ? "olivia" : "cyril";
                answers.add(threads.submit(
                        () -> client.lookup(new SourceKey(user, user, 1, "main", Optional.empty(), NOW))));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get().facts().get("groups"))
                        .isEqualTo(
                                i % 2 == 0
                                        ? List.of("clinicians", "ehr-users", "unique-club")
                                        : List.of("cycle-a", "cycle-b"));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClosedClientFailsLookups() throws Exception {
        SourceClient client = new LdapSource().open(openLdap().source(), Clock.systemUTC());
        client.lookup(new SourceKey("olivia", "olivia", 1, "main", Optional.empty(), NOW));
        client.close();

        assertThatThrownBy(() -> client.lookup(new SourceKey("olivia", "olivia", 1, "main", Optional.empty(), NOW)))
                .isInstanceOf(SourceException.class)
                .hasMessage("ldap source 'ldap' is closed; a reloaded configuration has its own");
    }
}
