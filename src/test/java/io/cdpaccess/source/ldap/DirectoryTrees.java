package io.cdpaccess.source.ldap;

import java.time.Instant;

/**
 * The two directories the {@code ldap} source is tested against, as LDIF.
 *
 * <p><b>Active Directory-like</b>, under {@code DC=example,DC=edu}: users with {@code
 * sAMAccountName}, {@code userAccountControl}, {@code accountExpires} (FILETIME) and {@code
 * memberOf}; groups in {@code OU=Groups} nested CDP Users &rarr; Research &harr; All Staff (a
 * cycle, which AD allows); a same-name "CDP Users" in {@code OU=Elsewhere}.
 *
 * <p><b>OpenLDAP-like</b>, under {@code dc=example,dc=org}: {@code inetOrgPerson} users, {@code
 * groupOfNames} with {@code member} and the memberOf overlay's {@code memberOf} (which, as
 * configured by default, leaves {@code groupOfUniqueNames} out), a two-group cycle, a chain five
 * groups deep, and a same-name "ehr-users" in {@code ou=other}.
 */
final class DirectoryTrees {

    static final String AD_BASE = "DC=example,DC=edu";
    static final String AD_GROUPS = "OU=Groups,DC=example,DC=edu";
    static final String OL_BASE = "dc=example,dc=org";
    static final String OL_GROUPS = "ou=groups,dc=example,dc=org";

    static final Instant PWD_LAST_SET = Instant.parse("2026-01-15T08:30:00Z");
    static final Instant CAROL_EXPIRES = Instant.parse("2031-01-01T00:00:00Z");
    static final Instant ERIN_EXPIRED = Instant.parse("2020-01-01T00:00:00Z");

    private DirectoryTrees() {}

    /** An instant as AD's FILETIME: 100 ns intervals since 1601-01-01 UTC. */
    static long fileTime(Instant instant) {
        return (instant.getEpochSecond() + 11_644_473_600L) * 10_000_000L + instant.getNano() / 100;
    }

    static final String AD = """
            dn: DC=example,DC=edu
            objectClass: domain
            dc: example

            dn: OU=People,DC=example,DC=edu
            objectClass: organizationalUnit
            ou: People

            dn: OU=Groups,DC=example,DC=edu
            objectClass: organizationalUnit
            ou: Groups

            dn: OU=Elsewhere,DC=example,DC=edu
            objectClass: organizationalUnit
            ou: Elsewhere

            dn: CN=Alice Adams,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Alice Adams
            sAMAccountName: alice
            userAccountControl: 512
            accountExpires: 0
            pwdLastSet: %d
            mail: alice@example.edu
            employeeID: 1001
            memberOf: CN=CDP Users,OU=Groups,DC=example,DC=edu

            dn: CN=Bob Brown,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Bob Brown
            sAMAccountName: bob
            userAccountControl: 514
            accountExpires: 9223372036854775807

            dn: CN=Carol Clark,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Carol Clark
            sAMAccountName: carol
            userAccountControl: 66048
            accountExpires: %d
            memberOf: CN=Research,OU=Groups,DC=example,DC=edu

            dn: CN=Erin Early,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Erin Early
            sAMAccountName: erin
            userAccountControl: 512
            accountExpires: %d

            dn: CN=Mallory Mole,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Mallory Mole
            sAMAccountName: mallory
            userAccountControl: 512
            memberOf: CN=CDP Users,OU=Elsewhere,DC=example,DC=edu

            dn: CN=Odd Name,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Odd Name
            sAMAccountName: a(b)*c\\d
            userAccountControl: 512

            dn: CN=Broken Flags,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Broken Flags
            sAMAccountName: broken
            userAccountControl: lots

            dn: CN=Broken Expiry,OU=People,DC=example,DC=edu
            objectClass: user
            cn: Broken Expiry
            sAMAccountName: brokenexpiry
            accountExpires: next tuesday

            dn: CN=CDP Users,OU=Groups,DC=example,DC=edu
            objectClass: group
            cn: CDP Users
            member: CN=Alice Adams,OU=People,DC=example,DC=edu
            memberOf: CN=Research,OU=Groups,DC=example,DC=edu

            dn: CN=Research,OU=Groups,DC=example,DC=edu
            objectClass: group
            cn: Research
            member: CN=CDP Users,OU=Groups,DC=example,DC=edu
            member: CN=Carol Clark,OU=People,DC=example,DC=edu
            member: CN=All Staff,OU=Groups,DC=example,DC=edu
            memberOf: CN=All Staff,OU=Groups,DC=example,DC=edu

            dn: CN=All Staff,OU=Groups,DC=example,DC=edu
            objectClass: group
            cn: All Staff
            member: CN=Research,OU=Groups,DC=example,DC=edu
            memberOf: CN=Research,OU=Groups,DC=example,DC=edu

            dn: CN=CDP Users,OU=Elsewhere,DC=example,DC=edu
            objectClass: group
            cn: CDP Users
            member: CN=Mallory Mole,OU=People,DC=example,DC=edu
            """.formatted(fileTime(PWD_LAST_SET), fileTime(CAROL_EXPIRES), fileTime(ERIN_EXPIRED));

    static final String OPENLDAP = """
            dn: dc=example,dc=org
            objectClass: dcObject
            objectClass: organization
            dc: example
            o: Example

            dn: ou=people,dc=example,dc=org
            objectClass: organizationalUnit
            ou: people

            dn: ou=groups,dc=example,dc=org
            objectClass: organizationalUnit
            ou: groups

            dn: ou=other,dc=example,dc=org
            objectClass: organizationalUnit
            ou: other

            dn: uid=olivia,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: olivia
            cn: Olivia Owens
            sn: Owens
            mail: olivia@example.org
            employeeNumber: 2002
            employeeType: staff
            employeeType: faculty
            departmentNumber: cardiology
            cdpTrained: TRUE
            cdpTrainedUntil: 20270630120000Z
            memberOf: cn=ehr-users,ou=groups,dc=example,dc=org

            dn: uid=lockie,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: lockie
            cn: Lockie Locked
            sn: Locked
            pwdAccountLockedTime: 000001010000Z
            nsAccountLock: TRUE

            dn: uid=nora,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: nora
            cn: Nora North
            sn: North
            nsAccountLock: FALSE

            dn: uid=cyril,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: cyril
            cn: Cyril Cycle
            sn: Cycle
            memberOf: cn=cycle-a,ou=groups,dc=example,dc=org

            dn: uid=deena,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: deena
            cn: Deena Deep
            sn: Deep
            memberOf: cn=depth-1,ou=groups,dc=example,dc=org

            dn: uid=dangle,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: dangle
            cn: Dan Dangle
            sn: Dangle
            memberOf: cn=gone,ou=groups,dc=example,dc=org

            dn: uid=mallory,ou=people,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: mallory
            cn: Mallory Mole
            sn: Mole
            memberOf: cn=ehr-users,ou=other,dc=example,dc=org

            dn: cn=ehr-users,ou=groups,dc=example,dc=org
            objectClass: groupOfNames
            cn: ehr-users
            member: uid=olivia,ou=people,dc=example,dc=org
            memberOf: cn=clinicians,ou=groups,dc=example,dc=org

            dn: cn=clinicians,ou=groups,dc=example,dc=org
            objectClass: groupOfNames
            cn: clinicians
            member: cn=ehr-users,ou=groups,dc=example,dc=org

            dn: cn=unique-club,ou=groups,dc=example,dc=org
            objectClass: groupOfUniqueNames
            cn: unique-club
            uniqueMember: uid=olivia,ou=people,dc=example,dc=org

            dn: cn=cycle-a,ou=groups,dc=example,dc=org
            objectClass: groupOfNames
            cn: cycle-a
            member: uid=cyril,ou=people,dc=example,dc=org
            member: cn=cycle-b,ou=groups,dc=example,dc=org
            memberOf: cn=cycle-b,ou=groups,dc=example,dc=org

            dn: cn=cycle-b,ou=groups,dc=example,dc=org
            objectClass: groupOfNames
            cn: cycle-b
            member: cn=cycle-a,ou=groups,dc=example,dc=org
            memberOf: cn=cycle-a,ou=groups,dc=example,dc=org

            %s
            dn: cn=ehr-users,ou=other,dc=example,dc=org
            objectClass: groupOfNames
            cn: ehr-users
            member: uid=mallory,ou=people,dc=example,dc=org
            """.formatted(depthChain());

    /** depth-1 holds deena, depth-2 holds depth-1, ... depth-5 holds depth-4. */
    private static String depthChain() {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            out.append("dn: cn=depth-")
                    .append(i)
                    .append(",ou=groups,dc=example,dc=org\n")
                    .append("objectClass: groupOfNames\n")
                    .append("cn: depth-")
                    .append(i)
                    .append('\n')
                    .append("member: ")
                    .append(i == 1 ? "uid=deena,ou=people" : "cn=depth-" + (i - 1) + ",ou=groups")
                    .append(",dc=example,dc=org\n");
            if (i < 5) {
                out.append("memberOf: cn=depth-").append(i + 1).append(",ou=groups,dc=example,dc=org\n");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
