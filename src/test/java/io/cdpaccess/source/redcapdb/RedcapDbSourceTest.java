package io.cdpaccess.source.redcapdb;

import static io.cdpaccess.source.redcapdb.RedcapTables.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.RedcapDbSettings;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.JdbcFailures;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.PausableTcpProxy;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code redcapdb} source against a real MariaDB holding REDCap's tables ({@link
 * RedcapTables}): every fact for the rows institutions meet, times in the REDCap server's zone,
 * when a cached answer stops being true, and what happens when the database goes away.
 */
class RedcapDbSourceTest {

    static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    static TestDatabase db;
    static SourceClient redcap;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabases.create(TestDatabases.Kind.MARIADB);
        RedcapTables.create(db, RedcapTables.EHR_MAP, RedcapTables.ROWS);
        redcap = open(settings(db.config().url(), CHICAGO, Optional.empty()), TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (redcap != null) {
            redcap.close();
        }
    }

    static RedcapDbSettings settings(String url, ZoneId zone, Optional<Long> ehrId) {
        return new RedcapDbSettings(url, db.config().user(), db.config().password(), 2, zone, ehrId);
    }

    static SourceConfig config(RedcapDbSettings settings, Duration timeout) {
        return new SourceConfig(
                "redcap",
                "test:1",
                timeout,
                SourceConfig.SourceCache.DEFAULT,
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                settings);
    }

    static SourceClient open(RedcapDbSettings settings, Duration timeout) throws SourceException {
        return new RedcapDbSource().open(config(settings, timeout), Clock.systemUTC());
    }

    static SourceAnswer lookup(SourceClient client, String user, long project, Instant now) throws SourceException {
        return client.lookup(new SourceKey(user, user, project, "main", Optional.empty(), now));
    }

    static Map<String, Object> facts(String user, long project) throws SourceException {
        return lookup(redcap, user, project, NOW).facts();
    }

    @Test
    void declaresEveryFactWithItsTypeUnderTheSourcesOwnTypeName() {
        FactType.Struct type =
                new RedcapDbSource().facts(config(settings("jdbc:mariadb://h/r", CHICAGO, Optional.empty()), TIMEOUT));
        assertThat(type.typeName()).isEqualTo("source.redcap");
        assertThat(type.fields())
                .containsEntry("user_exists", FactType.Scalar.BOOL)
                .containsEntry("rights_expire_at", FactType.Scalar.TIMESTAMP)
                .containsEntry("project_status", FactType.Scalar.INT)
                .containsEntry("cdp_type", FactType.Scalar.STRING)
                .containsEntry("ehr_usernames", new FactType.ListOf(FactType.Scalar.STRING))
                .hasSize(20);
        assertThat(new RedcapDbSource()
                        .perProject(config(settings("jdbc:mariadb://h/r", CHICAGO, Optional.empty()), TIMEOUT)))
                .isTrue();
    }

    @Test
    void everyFactOfAUserWithRightsInACdpProject() throws Exception {
        SourceAnswer a = lookup(redcap, "alice", 42, NOW);
        assertThat(a.found()).isTrue();
        assertThat(a.changesAt()).isEmpty();
        assertThat(a.facts())
                .containsExactlyEntriesOf(linked(
                        "user_exists", true,
                        "super_user", false,
                        "suspended", false,
                        "account_expired", false,
                        "has_rights", true,
                        "rights_expired", false,
                        "can_adjudicate", true,
                        "can_map", true,
                        "project_exists", true,
                        "project_deleted", false,
                        "project_status", 1L,
                        "project_irb_number", "IRB-2026-001",
                        "cdp_enabled", true,
                        "cdp_type", "FHIR",
                        "ehr_usernames", List.of("ALICE.EPIC", "acerner")));
        // Every value is of the type the source declares.
        assertThat(new RedcapDbSource()
                        .facts(config(settings("jdbc:mariadb://h/r", CHICAGO, Optional.empty()), TIMEOUT))
                        .canonical(a.facts()))
                .isEqualTo(a.facts());
    }

    @Test
    void anAdministratorIsASuperUserEvenWithoutProjectRights() throws Exception {
        assertThat(facts("site_admin", 42))
                .containsEntry("super_user", true)
                .containsEntry("has_rights", false)
                .containsEntry("can_adjudicate", false)
                .containsEntry("ehr_usernames", List.of());
    }

    @Test
    void aSuspendedUserIsSuspendedSinceTheServersLocalTime() throws Exception {
        SourceAnswer a = lookup(redcap, "sam", 42, NOW);
        assertThat(a.facts())
                .containsEntry("suspended", true)
                // 2026-11-15 09:30 CST
                .containsEntry("suspended_at", Instant.parse("2026-11-15T15:30:00Z"))
                .containsEntry("has_rights", true)
                .containsEntry("can_adjudicate", true);
        assertThat(a.changesAt()).as("a suspension does not end by itself").isEmpty();
    }

    @Test
    void anExpiredAccountIsExpiredAndAnAccountExpiringLaterTodayIsNotYet() throws Exception {
        SourceAnswer eve = lookup(redcap, "eve", 42, NOW);
        assertThat(eve.facts())
                .containsEntry("account_expired", true)
                .containsEntry("account_expires_at", Instant.parse("2026-11-30T23:00:00Z"));
        assertThat(eve.changesAt()).isEmpty();

        SourceAnswer fred = lookup(redcap, "fred", 42, NOW);
        Instant at = Instant.parse("2026-12-01T20:00:00Z"); // 14:00 CST
        assertThat(fred.facts()).containsEntry("account_expired", false).containsEntry("account_expires_at", at);
        assertThat(fred.changesAt()).contains(at);
        assertThat(lookup(redcap, "fred", 42, at).facts()).containsEntry("account_expired", true);
        assertThat(lookup(redcap, "fred", 42, at.minusMillis(1)).facts()).containsEntry("account_expired", false);
    }

    @Test
    void rightsExpiringTodayLastUntilTheEndOfTheDayInTheServersZone() throws Exception {
        Instant endOfToday = Instant.parse("2026-12-02T06:00:00Z"); // midnight CST
        SourceAnswer today = lookup(redcap, "tina", 42, NOW);
        assertThat(today.facts())
                .containsEntry("rights_expired", false)
                .containsEntry("rights_expire_at", endOfToday)
                .containsEntry("can_adjudicate", true);
        assertThat(today.changesAt()).contains(endOfToday);
        assertThat(lookup(redcap, "tina", 42, endOfToday.minusSeconds(1)).facts())
                .containsEntry("rights_expired", false);
        assertThat(lookup(redcap, "tina", 42, endOfToday).facts()).containsEntry("rights_expired", true);

        SourceAnswer yesterday = lookup(redcap, "yuri", 42, NOW);
        assertThat(yesterday.facts())
                .containsEntry("rights_expired", true)
                .containsEntry("rights_expire_at", Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(yesterday.changesAt()).isEmpty();

        SourceAnswer tomorrow = lookup(redcap, "tom", 42, NOW);
        assertThat(tomorrow.facts()).containsEntry("rights_expired", false);
        assertThat(tomorrow.changesAt()).contains(Instant.parse("2026-12-03T06:00:00Z"));
    }

    @Test
    void theAnswerChangesAtTheEarliestOfTheAccountAndTheRightsExpiring() throws Exception {
        // frank: account ends today 15:00 CST, rights at midnight.
        assertThat(lookup(redcap, "frank", 42, NOW).changesAt()).contains(Instant.parse("2026-12-01T21:00:00Z"));
        // After the account expired, the rights' end is the next change.
        assertThat(lookup(redcap, "frank", 42, Instant.parse("2026-12-01T22:00:00Z"))
                        .changesAt())
                .contains(Instant.parse("2026-12-02T06:00:00Z"));
    }

    @Test
    void rightsInARoleAreTheRolesNotTheRowsOwnColumns() throws Exception {
        assertThat(facts("rosa", 42))
                .containsEntry("role_name", "EHR adjudicators")
                .containsEntry("can_adjudicate", true)
                .containsEntry("can_map", true);
        assertThat(facts("rolf", 42))
                .containsEntry("role_name", "Viewers")
                .containsEntry("can_adjudicate", false)
                .containsEntry("can_map", false);
        // A role of another project (or none at all) gives nothing.
        assertThat(facts("dana", 42))
                .containsEntry("has_rights", true)
                .doesNotContainKey("role_name")
                .containsEntry("can_adjudicate", false)
                .containsEntry("can_map", false);
        // Without a role, the row's own columns: alice may adjudicate in 43 but not map.
        assertThat(facts("alice", 43))
                .containsEntry("can_adjudicate", true)
                .containsEntry("can_map", false)
                .doesNotContainKey("role_name");
    }

    @Test
    void aUserWithoutARightsRowHasNoRights() throws Exception {
        SourceAnswer a = lookup(redcap, "nora", 42, NOW);
        assertThat(a.found()).isTrue();
        assertThat(a.facts())
                .containsEntry("has_rights", false)
                .containsEntry("rights_expired", false)
                .containsEntry("can_adjudicate", false)
                .containsEntry("can_map", false)
                .containsEntry("ehr_usernames", List.of())
                .doesNotContainKeys("rights_expire_at", "role_name");
    }

    @Test
    void deletedProjectsAndBothKindsOfDataPull() throws Exception {
        assertThat(facts("alice", 45))
                .containsEntry("project_exists", true)
                .containsEntry("project_deleted", true)
                .containsEntry("project_deleted_at", Instant.parse("2026-11-20T14:00:00Z"))
                .containsEntry("has_rights", true);
        assertThat(facts("alice", 43))
                .containsEntry("cdp_enabled", true)
                .containsEntry("cdp_type", "CUSTOM")
                .doesNotContainKey("project_irb_number"); // empty in REDCap
        assertThat(facts("alice", 44))
                .containsEntry("cdp_enabled", false)
                .containsEntry("project_status", 0L)
                .doesNotContainKeys("cdp_type", "project_irb_number", "project_deleted_at");
    }

    @Test
    void anUnknownProjectHasOnlyItsAbsence() throws Exception {
        SourceAnswer a = lookup(redcap, "alice", 999, NOW);
        assertThat(a.found()).as("found is about the user").isTrue();
        assertThat(a.facts())
                .containsEntry("project_exists", false)
                .containsEntry("project_deleted", false)
                .containsEntry("cdp_enabled", false)
                .containsEntry("has_rights", false)
                .doesNotContainKeys("project_status", "project_irb_number", "cdp_type", "project_deleted_at");
    }

    @Test
    void anUnknownUserIsNotFoundAndHoldsOnlyWhatTheTablesSay() throws Exception {
        SourceAnswer nobody = lookup(redcap, "nobody", 42, NOW);
        assertThat(nobody.found()).isFalse();
        assertThat(nobody.facts())
                .containsEntry("user_exists", false)
                .containsEntry("super_user", false)
                .containsEntry("suspended", false)
                .containsEntry("account_expired", false)
                .containsEntry("has_rights", false)
                .containsEntry("project_exists", true)
                .containsEntry("cdp_type", "FHIR")
                .containsEntry("ehr_usernames", List.of());
        // Rights added before the first login: the rights are real, the account is not there.
        SourceAnswer ghost = lookup(redcap, "ghost", 42, NOW);
        assertThat(ghost.found()).isFalse();
        assertThat(ghost.facts())
                .containsEntry("user_exists", false)
                .containsEntry("has_rights", true)
                .containsEntry("can_adjudicate", true);
    }

    @Test
    void namesMatchWithoutRegardToCaseButNotAcrossAccents() throws Exception {
        SourceAnswer jdoe = lookup(redcap, "jdoe", 42, NOW);
        assertThat(jdoe.found()).isTrue();
        assertThat(jdoe.facts())
                .containsEntry("has_rights", true)
                .containsEntry("can_adjudicate", true)
                .containsEntry("ehr_usernames", List.of("jdoe1"));
        assertThat(lookup(redcap, "müller", 42, NOW).found()).isTrue();
        // utf8mb4_unicode_ci takes muller for müller; REDCap never sends one for the other.
        SourceAnswer muller = lookup(redcap, "muller", 42, NOW);
        assertThat(muller.found()).isFalse();
        assertThat(muller.facts()).containsEntry("has_rights", false);
    }

    @Test
    void usernamesThatLookLikeSqlAreOnlyNames() throws Exception {
        for (String name : List.of(
                "x' or '1'='1",
                "alice' -- ",
                "alice'; drop table redcap_user_information; --",
                "\\' or 1=1 #",
                "%",
                "_lice",
                "alice\u0000")) {
            SourceAnswer a = lookup(redcap, name, 42, NOW);
            assertThat(a.found()).as(name).isFalse();
            assertThat(a.facts()).as(name).containsEntry("has_rights", false);
        }
        assertThat(lookup(redcap, "o'brien", 42, NOW).facts()).containsEntry("has_rights", true);
        assertThat(lookup(redcap, "alice", 42, NOW).found())
                .as("the table is still there")
                .isTrue();
    }

    @Test
    void ehrIdPicksOneEhrsUsername() throws Exception {
        try (SourceClient cerner = open(settings(db.config().url(), CHICAGO, Optional.of(2L)), TIMEOUT);
                SourceClient none = open(settings(db.config().url(), CHICAGO, Optional.of(3L)), TIMEOUT)) {
            assertThat(lookup(cerner, "alice", 42, NOW).facts()).containsEntry("ehr_usernames", List.of("acerner"));
            assertThat(lookup(cerner, "jdoe", 42, NOW).facts()).containsEntry("ehr_usernames", List.of());
            assertThat(lookup(none, "alice", 42, NOW).facts()).containsEntry("ehr_usernames", List.of());
        }
    }

    @Test
    void aRedcapWithOneEhrHasNoEhrIdColumn() throws Exception {
        TestDatabase old = TestDatabases.create(TestDatabases.Kind.MARIADB);
        RedcapTables.create(
                old,
                RedcapTables.EHR_MAP_ONE_EHR,
                "INSERT INTO redcap_user_information (ui_id, username) VALUES (1, 'alice')",
                "INSERT INTO redcap_ehr_user_map (ehr_username, redcap_userid) VALUES ('alice.epic', 1)");
        RedcapDbSettings base = new RedcapDbSettings(
                old.config().url(), old.config().user(), old.config().password(), 1, CHICAGO, Optional.empty());
        try (SourceClient all = open(base, TIMEOUT);
                SourceClient one = open(
                        new RedcapDbSettings(base.url(), base.user(), base.password(), 1, CHICAGO, Optional.of(1L)),
                        TIMEOUT)) {
            assertThat(lookup(all, "alice", 1, NOW).facts()).containsEntry("ehr_usernames", List.of("alice.epic"));
            assertThatThrownBy(() -> lookup(one, "alice", 1, NOW))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("ehr_id is set but REDCap's redcap_ehr_user_map has no ehr_id column");
        }
    }

    @Test
    void dateTimesAreTheRedcapServersLocalTimeWhateverTheServiceOrDriverZone() throws Exception {
        // summer: suspended 2026-07-01 17:00 and expiring 2027-07-01 17:00, both CDT (UTC-5).
        Map<String, Object> chicago = facts("summer", 46);
        assertThat(chicago)
                .containsEntry("suspended_at", Instant.parse("2026-07-01T22:00:00Z"))
                .containsEntry("account_expires_at", Instant.parse("2027-07-01T22:00:00Z"))
                .containsEntry("project_deleted_at", Instant.parse("2026-07-01T22:00:00Z"))
                .containsEntry("project_status", 3L);
        // The same rows read for a REDCap server in UTC mean other instants.
        try (SourceClient utc = open(settings(db.config().url(), ZoneOffset.UTC, Optional.empty()), TIMEOUT)) {
            Map<String, Object> f = lookup(utc, "summer", 46, NOW).facts();
            assertThat(f).containsEntry("suspended_at", Instant.parse("2026-07-01T17:00:00Z"));
            assertThat(lookup(utc, "tina", 42, NOW).facts())
                    .containsEntry("rights_expire_at", Instant.parse("2026-12-02T00:00:00Z"));
        }
    }

    @Test
    void aMysqlUrlIsReadByTheMariaDbDriver() throws Exception {
        String mysql = db.config().url().replace("jdbc:mariadb:", "jdbc:mysql:");
        try (SourceClient client = open(settings(mysql, CHICAGO, Optional.empty()), TIMEOUT)) {
            assertThat(lookup(client, "alice", 42, NOW).found()).isTrue();
        }
    }

    @Test
    void concurrentLookupsShareTheSmallPool() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<SourceAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String user = i % 2 == 0 ? "alice" : "yuri";
                answers.add(threads.submit(() -> lookup(redcap, user, 42, NOW)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get().facts())
                        .containsEntry("rights_expired", i % 2 != 0)
                        .containsEntry("user_exists", true);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void sessionsAreReadOnlyEvenForAnAccountThatCouldWrite() throws Exception {
        // The shared client uses the database owner's account, which may do anything there.
        try (Connection c = ((RedcapDbClient) redcap).session();
                Statement s = c.createStatement()) {
            assertThat(c.isReadOnly()).isTrue();
            assertThatThrownBy(() -> s.executeUpdate("UPDATE redcap_user_information SET super_user = 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("READ ONLY");
        }
        assertThat(facts("alice", 42)).containsEntry("super_user", false);
    }

    @Test
    void aWritingAccountIsWarnedOfAndAReadOnlyOneIsNot() throws Exception {
        Optional<String> owner = redcap.writeAccessWarning();
        assertThat(owner).isPresent();
        assertThat(owner.get())
                .startsWith(
                        "source 'redcap': database account '" + db.config().user() + "' can change REDCap's database (")
                .contains("ALL PRIVILEGES on `" + db.name() + "`.*")
                .doesNotContain("PASSWORD")
                .doesNotContain(db.config().password().reveal())
                .doesNotContain("\n");

        TestDatabase.Account reader = db.account("SELECT");
        TestDatabase.Account writer = db.account("SELECT, INSERT, UPDATE");
        try (SourceClient ro = open(account(reader), TIMEOUT);
                SourceClient rw = open(account(writer), TIMEOUT)) {
            assertThat(ro.writeAccessWarning()).isEmpty();
            assertThat(lookup(ro, "alice", 42, NOW).facts()).containsEntry("can_adjudicate", true);
            assertThat(rw.writeAccessWarning())
                    .hasValueSatisfying(w -> assertThat(w)
                            .contains("'" + writer.user() + "'")
                            .contains("INSERT, UPDATE on `" + db.name() + "`.*"));
        }
    }

    @Test
    void settingsOfAnotherKindAreRefused() {
        SourceConfig ldap = new SourceConfig(
                "dir",
                "test:1",
                TIMEOUT,
                SourceConfig.SourceCache.DEFAULT,
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                new io.cdpaccess.config.LdapSettings(
                        List.of("ldap://h"),
                        false,
                        Optional.empty(),
                        Secret.none(),
                        Optional.empty(),
                        Secret.none(),
                        1,
                        "dc=x",
                        "(uid={user})",
                        Map.of(),
                        io.cdpaccess.config.LdapSettings.GroupMode.DIRECT,
                        Optional.empty(),
                        Optional.empty(),
                        10));
        assertThatThrownBy(() -> new RedcapDbSource().open(ldap, Clock.systemUTC()))
                .isInstanceOf(SourceException.class)
                .hasMessage("source 'dir' is of type ldap, not redcapdb");
    }

    @Test
    void messagesNameTheDatabaseWithoutCredentialsAndNeverThePassword() {
        assertThat(JdbcFailures.describe("jdbc:mysql://u:pw@db.example.edu:3306/redcap?password=pw&useSSL=true"))
                .isEqualTo("jdbc:mysql://db.example.edu:3306/redcap");
        assertThat(RedcapDbClient.mariaDbUrl("jdbc:mysql://db:3306/redcap?useSSL=true"))
                .isEqualTo("jdbc:mariadb://db:3306/redcap?useSSL=true");
        assertThat(RedcapDbClient.mariaDbUrl("jdbc:mariadb://db/redcap")).isEqualTo("jdbc:mariadb://db/redcap");
        RedcapDbSettings s = new RedcapDbSettings(
                "jdbc:mariadb://db/redcap", "u", Secret.of("hunter2"), 1, CHICAGO, Optional.empty());
        assertThat(RedcapDbClient.oneLine(
                        new SQLException("wrapped", new IllegalStateException("bad password hunter2\nsecond line")), s))
                .isEqualTo("bad password ****");
        assertThat(RedcapDbClient.oneLine(new SQLException("a\nb\u001b[31m"), s))
                .isEqualTo("a");
        assertThat(RedcapDbClient.oneLine(new SQLException("x\u001b[31m"), s)).isEqualTo("x\\u001b[31m");
        assertThat(RedcapDbClient.oneLine(new SQLException((String) null), s)).isEqualTo("SQLException");
    }

    @Test
    void onlyAConnectionThatBrokeIsTriedAgain() {
        assertThat(JdbcFailures.brokenConnection(new java.sql.SQLNonTransientConnectionException("closed")))
                .isTrue();
        assertThat(JdbcFailures.brokenConnection(new SQLException("reset", new java.io.EOFException())))
                .isTrue();
        assertThat(JdbcFailures.brokenConnection(new SQLException("gone", "08S01")))
                .isTrue();
        assertThat(JdbcFailures.brokenConnection(new SQLException("syntax", "42000")))
                .isFalse();
        assertThat(JdbcFailures.brokenConnection(new SQLException("no state"))).isFalse();
        assertThat(JdbcFailures.brokenConnection(new java.sql.SQLTimeoutException("slow")))
                .isFalse();
        assertThat(JdbcFailures.brokenConnection(
                        new SQLException("read", new java.net.SocketTimeoutException("Read timed out"))))
                .as("a hung server: asking again only waits again")
                .isFalse();
        assertThat(JdbcFailures.brokenConnection(new java.sql.SQLTransientConnectionException("pool empty", "08001")))
                .isFalse();
    }

    @Test
    void aUrlTheDriverRefusesFailsTheOpenWithoutItsParameters() {
        RedcapDbSettings bad = new RedcapDbSettings(
                "jdbc:postgresql://db.example.edu/redcap?password=pw",
                "u",
                Secret.none(),
                1,
                CHICAGO,
                Optional.empty());
        assertThatThrownBy(() -> open(bad, TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessageStartingWith("source 'redcap' (jdbc:postgresql://db.example.edu/redcap): "
                        + "cannot set up the connection pool: ")
                .message()
                .doesNotContain("password=pw");
    }

    static RedcapDbSettings account(TestDatabase.Account account) {
        return new RedcapDbSettings(
                db.config().url(), account.user(), Secret.of(account.password()), 1, CHICAGO, Optional.empty());
    }

    @Test
    void aDatabaseDownAtStartFailsLookupsNotTheStart() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        RedcapDbSettings down = new RedcapDbSettings(
                "jdbc:mariadb://127.0.0.1:" + port + "/redcap?user=x",
                "reader",
                Secret.of("s3cret-pass"),
                1,
                CHICAGO,
                Optional.empty());
        long start = System.nanoTime();
        try (SourceClient client = open(down, Duration.ofMillis(500))) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            SourceException e = catchThrowableOfType(SourceException.class, () -> lookup(client, "alice", 42, NOW));
            assertThat(e).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(e.getMessage())
                    .startsWith("source 'redcap' (jdbc:mariadb://127.0.0.1:" + port
                            + "/redcap): no connection to REDCap's database: ")
                    .doesNotContain("s3cret-pass")
                    .doesNotContain("user=x")
                    .doesNotContain("\n");
            assertThat(client.writeAccessWarning()).as("unknown is no warning").isEmpty();
        }
    }

    @Test
    void aHungDatabaseFailsWithinTheTimeoutAndIsUsedAgainWhenBack() throws Exception {
        Matcher port =
                Pattern.compile("//127\\.0\\.0\\.1:(\\d+)/").matcher(db.config().url());
        assertThat(port.find()).isTrue();
        try (PausableTcpProxy proxy = new PausableTcpProxy(Integer.parseInt(port.group(1)));
                SourceClient client = open(
                        settings(
                                db.config().url().replace(":" + port.group(1) + "/", ":" + proxy.port() + "/"),
                                CHICAGO,
                                Optional.empty()),
                        Duration.ofMillis(500))) {
            assertThat(lookup(client, "alice", 42, NOW).found()).isTrue();
            proxy.freeze();
            long start = System.nanoTime();
            assertThatThrownBy(() -> lookup(client, "alice", 42, NOW))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("did not answer within 500ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            proxy.restore();
            assertThat(eventually(client, "alice").found()).isTrue();
        }
    }

    @Test
    void aKilledConnectionIsReplacedWithoutAFailedAnswer() throws Exception {
        try (SourceClient client = open(settings(db.config().url(), CHICAGO, Optional.empty()), TIMEOUT)) {
            assertThat(lookup(client, "alice", 42, NOW).found()).isTrue();
            killConnectionsOf(db);
            // The pools (this one and the shared one: same account) still hold dead connections;
            // a lookup goes past them to a fresh one rather than fail.
            assertThat(lookup(client, "alice", 42, NOW).found()).isTrue();
            assertThat(lookup(client, "alice", 42, NOW).found()).isTrue();
            assertThat(lookup(redcap, "alice", 42, NOW).found()).isTrue();
        }
    }

    @Test
    void aDatabaseCutOffFailsLookupsAndTheSamePoolRecovers() throws Exception {
        // Its own database: cutting off locks the owner's account, which the other tests use.
        TestDatabase other = TestDatabases.create(TestDatabases.Kind.MARIADB);
        RedcapTables.create(
                other, RedcapTables.EHR_MAP, "INSERT INTO redcap_user_information (username) VALUES ('alice')");
        RedcapDbSettings s = new RedcapDbSettings(
                other.config().url(), other.config().user(), other.config().password(), 2, CHICAGO, Optional.empty());
        try (SourceClient client = open(s, Duration.ofSeconds(1))) {
            assertThat(lookup(client, "alice", 1, NOW).found()).isTrue();
            TestDatabase.Outage outage = other.cutOff();
            long start = System.nanoTime();
            SourceException e = catchThrowableOfType(SourceException.class, () -> lookup(client, "alice", 1, NOW));
            assertThat(e).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(e.getMessage()).doesNotContain(other.config().password().reveal());
            // Long enough for HikariCP's tries to connect to back off to seconds apart.
            Thread.sleep(3_000);
            outage.close();
            assertThat(lookup(client, "alice", 1, NOW).found())
                    .as("the first lookup once the database is back, not one after the pool's next try")
                    .isTrue();
        }
    }

    /** The answer once the source answers again, within 10 s. */
    static SourceAnswer eventually(SourceClient client, String user) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return lookup(client, user, 42, NOW);
            } catch (SourceException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Kills every connection of the database's owner (a source's account) from another one of its own. */
    static void killConnectionsOf(TestDatabase db) {
        assertThat(db.killOwnersConnections())
                .as("the source's pooled connections")
                .isPositive();
    }

    static Map<String, Object> linked(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
