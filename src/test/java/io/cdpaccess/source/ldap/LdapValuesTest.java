package io.cdpaccess.source.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Attribute;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Directory text as fact values: integers, LDAP booleans, GeneralizedTime and AD's FILETIME. */
class LdapValuesTest {

    @Test
    void fileTimeCountsHundredNanosecondsSince1601AndItsNeverValuesAreNoTime() {
        assertThat(LdapValues.fileTime(116_444_736_000_000_000L)).contains(Instant.EPOCH);
        assertThat(LdapValues.fileTime(116_444_736_000_000_001L)).contains(Instant.EPOCH.plusNanos(100));
        assertThat(LdapValues.fileTime(DirectoryTrees.fileTime(Instant.parse("2031-01-01T00:00:00Z"))))
                .contains(Instant.parse("2031-01-01T00:00:00Z"));
        assertThat(LdapValues.fileTime(0)).isEmpty();
        assertThat(LdapValues.fileTime(0x7FFFFFFFFFFFFFFFL)).isEmpty();
        assertThat(LdapValues.fileTime(-1)).isEmpty();
    }

    @Test
    void aTimeIsFileTimeWhenAllDigitsElseGeneralizedTime() {
        assertThat(LdapValues.time("116444736000000000")).contains(Instant.EPOCH);
        assertThat(LdapValues.time("0")).isEmpty();
        assertThat(LdapValues.time("20270630120000Z")).contains(Instant.parse("2027-06-30T12:00:00Z"));
        assertThat(LdapValues.time("20270630120000.5Z")).contains(Instant.parse("2027-06-30T12:00:00.500Z"));
        assertThat(LdapValues.time("20270630120000+0200")).contains(Instant.parse("2027-06-30T10:00:00Z"));
        assertThat(LdapValues.time("next tuesday")).isEmpty();
        assertThat(LdapValues.time("")).isEmpty();
        assertThat(LdapValues.time("99999999999999999999")).as("beyond a long").isEmpty();
    }

    @Test
    void booleansAreLdapsTrueAndFalseOnly() {
        assertThat(LdapValues.bool("TRUE")).contains(true);
        assertThat(LdapValues.bool(" false ")).contains(false);
        assertThat(LdapValues.bool("yes")).isEmpty();
        assertThat(LdapValues.bool("1")).isEmpty();
    }

    @Test
    void typedValuesFollowTheConfiguredType() {
        Attribute two = new Attribute("employeeType", "staff", "faculty");

        assertThat(LdapValues.typed(two, "string")).contains("staff");
        assertThat(LdapValues.typed(two, "list")).contains(List.of("staff", "faculty"));
        assertThat(LdapValues.typed(null, "list")).contains(List.of());
        assertThat(LdapValues.typed(null, "string")).isEmpty();
        assertThat(LdapValues.typed(new Attribute("n", " 42 "), "int")).contains(42L);
        assertThat(LdapValues.typed(new Attribute("n", "TRUE"), "bool")).contains(true);
        assertThat(LdapValues.typed(new Attribute("n"), "int")).as("no value").isEqualTo(Optional.empty());
        assertThatThrownBy(() -> LdapValues.typed(two, "float")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGroupIsNamedByItsDnsCommonName() {
        assertThat(LdapClient.cn("CN=CDP Users,OU=Groups,DC=example,DC=edu")).isEqualTo("CDP Users");
        assertThat(LdapClient.cn("uid=x+cn=Both,ou=groups,dc=example,dc=org")).isEqualTo("Both");
        assertThat(LdapClient.cn("ou=Team,dc=example,dc=org"))
                .as("no cn: the naming value")
                .isEqualTo("Team");
        assertThat(LdapClient.cn("cn=a\\,b,dc=example,dc=org")).isEqualTo("a,b");
        assertThat(LdapClient.cn("")).isEqualTo("");
        assertThat(LdapClient.cn("not a dn")).isEqualTo("not a dn");
    }

    @Test
    void twoSpellingsOfOneDnCompareEqual() {
        assertThat(LdapClient.normalized("CN=CDP Users, OU=Groups,DC=Example,DC=edu"))
                .isEqualTo(LdapClient.normalized("cn=cdp users,ou=groups,dc=example,dc=edu"));
        assertThat(LdapClient.normalized("Not A DN")).isEqualTo("not a dn");
    }
}
