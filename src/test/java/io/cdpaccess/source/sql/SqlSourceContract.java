package io.cdpaccess.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpaccess.config.FactField;
import io.cdpaccess.config.IdentityMapping;
import io.cdpaccess.config.Secret;
import io.cdpaccess.config.SourceConfig;
import io.cdpaccess.config.SqlQuery;
import io.cdpaccess.config.SqlSettings;
import io.cdpaccess.policy.FactType;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What a {@code sql} source does against a real database, whichever it is: {@link
 * SqlSourcePostgresTest} and {@link SqlSourceMariaDbTest} run these against embedded servers
 * holding a CTMS's {@code study_staff} table ({@link #TABLE}, its rows in {@link #ROWS}).
 */
abstract class SqlSourceContract {

    static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    static final Instant NOW = Instant.parse("2026-12-01T18:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** The table, with {@code %s} for the dialect's boolean type and a timestamp type with zone where there is one. */
    static final String TABLE = "CREATE TABLE study_staff (seq INT NOT NULL, username VARCHAR(100) NOT NULL,"
            + " protocol_number VARCHAR(50), role VARCHAR(50), active %s, visits INT, end_date DATE,"
            + " updated_at %s, checked_at %s, active_text VARCHAR(10), end_text VARCHAR(20), project_id BIGINT,"
            + " site VARCHAR(20))";

    static final List<String> ROWS = List.of(
            "INSERT INTO study_staff VALUES (1, 'alice', 'P-001', 'PI', TRUE, 12, '2027-06-30',"
                    + " '2026-12-01 09:30:00', '2026-06-30 12:00:00', 'yes', '2027-01-31', 42, 'prod')",
            "INSERT INTO study_staff VALUES (2, 'alice', 'P-002', 'CRC', FALSE, 3, NULL, NULL, NULL, 'no', NULL, 42,"
                    + " 'prod')",
            "INSERT INTO study_staff VALUES (3, 'alice', 'P-001', 'PI', TRUE, 1, NULL, NULL, NULL, NULL, NULL, 43,"
                    + " 'test')",
            "INSERT INTO study_staff VALUES (4, 'alice', NULL, 'CRC', TRUE, 1, NULL, NULL, NULL, NULL, NULL, 44, 'prod')",
            "INSERT INTO study_staff VALUES (5, 'o''brien', 'P-003', 'CRC', TRUE, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " 42, 'prod')",
            "INSERT INTO study_staff VALUES (7, 'sleepy', 'P-001', 'PI', TRUE, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " 42, 'prod')",
            "INSERT INTO study_staff VALUES (6, 'bad', 'P-004', 'PI', TRUE, NULL, NULL, NULL, NULL, 'maybe',"
                    + " 'someday', 42, 'prod')");

    static final String STAFF = "SELECT role, active, visits, end_date, updated_at, checked_at, active_text,"
            + " end_text, protocol_number FROM study_staff WHERE username = :user ORDER BY seq";

    static final List<FactField> COLUMNS = List.of(
            new FactField("role", "role", FactField.Type.STRING),
            new FactField("active", "active", FactField.Type.BOOL),
            new FactField("visits", "visits", FactField.Type.INT),
            new FactField("ends", "end_date", FactField.Type.DATE),
            new FactField("updated", "updated_at", FactField.Type.TIMESTAMP),
            new FactField("checked", "checked_at", FactField.Type.TIMESTAMP),
            new FactField("active_text", "active_text", FactField.Type.BOOL),
            new FactField("ends_text", "end_text", FactField.Type.DATE),
            new FactField("protocols", "protocol_number", FactField.Type.LIST));

    static TestDatabase db;
    static SourceClient staff;

    /** The database, {@code setUp} run on it, then its table created and filled; {@link #staff} opens on it. */
    static void start(TestDatabase database, String bool, String timestamp, String timestampWithZone, String... setUp) {
        db = database;
        if (setUp.length > 0) {
            execute(db, setUp);
        }
        execute(db, TABLE.formatted(bool, timestamp, timestampWithZone));
        execute(db, ROWS.toArray(new String[0]));
    }

    @AfterAll
    static void stop() {
        if (staff != null) {
            staff.close();
            staff = null;
        }
    }

    /** The instant {@code checked_at} of alice's first row is: 2026-06-30 12:00 UTC where the column has a zone. */
    abstract Instant aliceCheckedAt();

    /** A condition that sleeps 30 s for the user {@code sleepy} and is true at once for anyone else. */
    abstract String sleepsForSleepy();

    /** An insert of more rows for {@code many} than a lookup reads. */
    abstract String manyRows();

    static SqlSettings settings(String query, List<FactField> columns, TestDatabase.Account account) {
        String url = db.config().url();
        return new SqlSettings(
                url,
                account.user(),
                Secret.of(account.password()),
                2,
                CHICAGO,
                SqlQuery.parse(query, SqlQuery.Dialect.of(url)),
                columns,
                Path.of("drivers"));
    }

    static TestDatabase.Account owner() {
        return new TestDatabase.Account(
                db.config().user(), db.config().password().reveal());
    }

    static SourceConfig config(SqlSettings settings, Duration timeout) {
        return new SourceConfig(
                "ctms",
                "test:1",
                timeout,
                SourceConfig.SourceCache.DEFAULT,
                16,
                IdentityMapping.NONE,
                Optional.empty(),
                settings);
    }

    static SourceClient open(SqlSettings settings, Duration timeout) throws SourceException {
        return new SqlSource().open(config(settings, timeout), Clock.systemUTC());
    }

    static SourceClient open(String query, List<FactField> columns) throws SourceException {
        return open(settings(query, columns, owner()), TIMEOUT);
    }

    static SourceAnswer lookup(SourceClient client, String user) throws SourceException {
        return lookup(client, user, 42, "prod", Optional.empty());
    }

    static SourceAnswer lookup(SourceClient client, String user, long project, String instance, Optional<String> irb)
            throws SourceException {
        return client.lookup(new SourceKey(user, user, project, instance, irb, NOW));
    }

    SourceClient staff() throws SourceException {
        if (staff == null) {
            staff = open(STAFF, COLUMNS);
        }
        return staff;
    }

    @Test
    void theFirstRowsColumnsAreTheFactsTypedAsDeclaredAndAListCollectsEveryRow() throws Exception {
        SourceAnswer a = lookup(staff(), "alice");
        assertThat(a.found()).isTrue();
        assertThat(a.facts())
                .containsExactly(
                        Map.entry("found", true),
                        Map.entry("role", "PI"),
                        Map.entry("active", true),
                        Map.entry("visits", 12L),
                        // the end of 2027-06-30 in Chicago (CDT)
                        Map.entry("ends", Instant.parse("2027-07-01T05:00:00Z")),
                        // a DATETIME / TIMESTAMP WITHOUT TIME ZONE is the source's zone's local time
                        Map.entry("updated", Instant.parse("2026-12-01T15:30:00Z")),
                        Map.entry("checked", aliceCheckedAt()),
                        Map.entry("active_text", true),
                        Map.entry("ends_text", Instant.parse("2027-02-01T06:00:00Z")),
                        // distinct, in row order, NULL left out
                        Map.entry("protocols", List.of("P-001", "P-002")));
        assertThat(a.changesAt())
                .as("the first date or time still to come")
                .contains(Instant.parse("2027-02-01T06:00:00Z"));
        FactType.Struct type = new SqlSource().facts(config(settings(STAFF, COLUMNS, owner()), TIMEOUT));
        assertThat(type.canonical(a.facts()))
                .as("every value of its declared type")
                .isEqualTo(a.facts());
        assertThat(type.fields()).containsEntry("found", FactType.Scalar.BOOL).hasSize(COLUMNS.size() + 1);
    }

    @Test
    void noRowIsNotFoundWithNoOtherFact() throws Exception {
        SourceAnswer a = lookup(staff(), "nobody");
        assertThat(a.found()).isFalse();
        assertThat(a.facts()).containsExactly(Map.entry("found", false));
        assertThat(a.changesAt()).isEmpty();
        assertThat(new SqlSource().unknownKey()).isEqualTo(a);
    }

    @Test
    void nullsAreLeftOut() throws Exception {
        assertThat(lookup(staff(), "o'brien").facts())
                .containsOnlyKeys("found", "role", "active", "protocols")
                .containsEntry("protocols", List.of("P-003"));
    }

    @Test
    void usernamesThatLookLikeSqlAreOnlyNames() throws Exception {
        for (String name : List.of("x' OR '1'='1", "alice' -- ", "alice'; DROP TABLE study_staff; --", "%", "\\'")) {
            assertThat(lookup(staff(), name).found()).as(name).isFalse();
        }
        assertThat(lookup(staff(), "alice").found())
                .as("the table is still there")
                .isTrue();
    }

    @Test
    void theProjectTheInstanceAndTheIrbNumberAreBoundAndAnEmptyIrbNumberIsNull() throws Exception {
        String query = "SELECT role FROM study_staff WHERE username = :user AND project_id = :project_id"
                + " AND site = :instance AND (protocol_number = :irb_number OR :irb_number IS NULL) ORDER BY seq";
        SqlSettings settings = settings(query, List.of(new FactField("role", "role", FactField.Type.STRING)), owner());
        SqlSource kind = new SqlSource();
        assertThat(kind.perProject(config(settings, TIMEOUT))).isTrue();
        assertThat(kind.perInstance(config(settings, TIMEOUT))).isTrue();
        assertThat(kind.perProject(config(settings(STAFF, COLUMNS, owner()), TIMEOUT)))
                .isFalse();
        assertThat(kind.perInstance(config(settings(STAFF, COLUMNS, owner()), TIMEOUT)))
                .isFalse();
        try (SourceClient client = open(settings, TIMEOUT)) {
            assertThat(lookup(client, "alice", 42, "prod", Optional.of("P-002")).facts())
                    .containsEntry("role", "CRC");
            assertThat(lookup(client, "alice", 42, "prod", Optional.empty()).facts())
                    .containsEntry("role", "PI");
            assertThat(lookup(client, "alice", 42, "prod", Optional.of("P-999")).found())
                    .isFalse();
            assertThat(lookup(client, "alice", 43, "prod", Optional.empty()).found())
                    .isFalse();
            assertThat(lookup(client, "alice", 43, "test", Optional.of("P-001")).found())
                    .isTrue();
            assertThat(lookup(client, "alice", 42, "test", Optional.empty()).found())
                    .isFalse();
        }
    }

    @Test
    void aValueNotOfItsDeclaredTypeFailsNamingTheColumn() throws Exception {
        try (SourceClient client = open(STAFF, List.of(new FactField("role", "role", FactField.Type.INT)))) {
            assertThatThrownBy(() -> lookup(client, "alice"))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("column role (")
                    .hasMessageContaining("is declared int: expected a whole number, not 'PI'");
        }
        assertThatThrownBy(() -> lookup(staff(), "bad"))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("column active_text (")
                .hasMessageContaining("is declared bool");
        try (SourceClient client = open(STAFF, List.of(new FactField("ends", "end_date", FactField.Type.TIMESTAMP)))) {
            assertThatThrownBy(() -> lookup(client, "alice"))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("this is a date column: declare it date");
        }
    }

    @Test
    void aDeclaredColumnTheQueryDoesNotGiveFailsEveryLookupNamingIt() throws Exception {
        try (SourceClient client = open(STAFF, List.of(new FactField("site", "site", FactField.Type.STRING)))) {
            for (String user : List.of("alice", "nobody")) {
                assertThatThrownBy(() -> lookup(client, user))
                        .isInstanceOf(SourceException.class)
                        .hasMessageContaining("the query gives no column site (declared in columns:); it gives role,");
            }
        }
    }

    @Test
    void moreRowsThanALookupReadsFailRatherThanAnswerFromAPart() throws Exception {
        execute(db, manyRows());
        assertThatThrownBy(() -> lookup(staff(), "many"))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("the query gave more than 1000 rows for one key");
    }

    @Test
    void sessionsAreReadOnlyEvenForAnAccountThatCouldWrite() throws Exception {
        try (Connection c = ((SqlClient) staff()).session();
                Statement s = c.createStatement()) {
            assertThat(c.isReadOnly()).isTrue();
            assertThatThrownBy(() -> s.executeUpdate("UPDATE study_staff SET role = 'PI'"))
                    .isInstanceOf(SQLException.class)
                    .message()
                    .containsIgnoringCase("read")
                    .containsIgnoringCase("only transaction");
        }
        assertThat(lookup(staff(), "o'brien").facts()).containsEntry("role", "CRC");
    }

    @Test
    void aWritingAccountIsWarnedOfAndAReadOnlyOneIsNot() throws Exception {
        assertThat(staff().writeAccessWarning())
                .hasValueSatisfying(w -> assertThat(w)
                        .startsWith("source 'ctms': database account '"
                                + db.config().user() + "' can change the database (")
                        .endsWith("); the source only reads: give it an account that can only SELECT")
                        .doesNotContain(db.config().password().reveal())
                        .doesNotContain("\n"));
        TestDatabase.Account reader = db.account("SELECT");
        TestDatabase.Account writer = db.account("SELECT, INSERT, UPDATE");
        try (SourceClient ro = open(settings(STAFF, COLUMNS, reader), TIMEOUT);
                SourceClient rw = open(settings(STAFF, COLUMNS, writer), TIMEOUT)) {
            assertThat(ro.writeAccessWarning()).isEmpty();
            assertThat(lookup(ro, "alice").facts()).containsEntry("role", "PI");
            assertThat(rw.writeAccessWarning())
                    .hasValueSatisfying(w ->
                            assertThat(w).contains("'" + writer.user() + "'").contains("INSERT"));
        }
    }

    @Test
    void aHungQueryFailsWithinTheTimeoutAndTheSourceAnswersNext() throws Exception {
        String query = "SELECT role FROM study_staff WHERE username = :user AND " + sleepsForSleepy();
        try (SourceClient client = open(
                settings(query, List.of(new FactField("role", "role", FactField.Type.STRING)), owner()),
                Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> lookup(client, "sleepy"))
                    .isInstanceOf(SourceException.class)
                    .hasMessage("source 'ctms' (" + db.config().url() + "): the database did not answer within 1s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
            assertThat(eventually(client, "alice").facts()).containsEntry("role", "PI");
        }
    }

    @Test
    void connectionsKilledMidLookupFailItWithinTheTimeoutAndLookupsRecover() throws Exception {
        String query = "SELECT role FROM study_staff WHERE username = :user AND " + sleepsForSleepy();
        try (SourceClient client = open(
                settings(query, List.of(new FactField("role", "role", FactField.Type.STRING)), owner()),
                Duration.ofSeconds(2))) {
            assertThat(lookup(client, "alice").found()).isTrue();
            long start = System.nanoTime();
            CompletableFuture<SourceAnswer> hung = CompletableFuture.supplyAsync(() -> {
                try {
                    return lookup(client, "sleepy");
                } catch (SourceException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(500);
            assertThat(db.killOwnersConnections()).isPositive();
            Throwable failed = catchThrowableOfType(
                    java.util.concurrent.ExecutionException.class, () -> hung.get(10, TimeUnit.SECONDS));
            assertThat(failed).isNotNull();
            assertThat(failed.getCause())
                    .isInstanceOf(SourceException.class)
                    .hasMessageStartingWith("source 'ctms' (" + db.config().url() + "): ")
                    .message()
                    .doesNotContain(db.config().password().reveal());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_800));
            // The pool held the dead connections: lookups go past them to fresh ones.
            assertThat(lookup(client, "alice").facts()).containsEntry("role", "PI");
            assertThat(lookup(client, "alice").facts()).containsEntry("role", "PI");
            assertThat(eventually(staff(), "alice").found()).isTrue();
        }
    }

    @Test
    void aDatabaseDownAtStartFailsLookupsNotTheStart() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String url = db.config().url().replaceFirst("127\\.0\\.0\\.1:\\d+", "127.0.0.1:" + port) + "?user=x";
        SqlSettings down = new SqlSettings(
                url,
                "reader",
                Secret.of("s3cret-pass-0123456789"),
                1,
                CHICAGO,
                SqlQuery.parse(STAFF, SqlQuery.Dialect.of(url)),
                COLUMNS,
                Path.of("drivers"));
        long start = System.nanoTime();
        try (SourceClient client = open(down, Duration.ofMillis(500))) {
            SourceException e = catchThrowableOfType(SourceException.class, () -> lookup(client, "alice"));
            assertThat(e).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(e.getMessage())
                    .startsWith("source 'ctms' (" + url.replace("?user=x", "") + "): no connection to the database: ")
                    .doesNotContain("s3cret-pass")
                    .doesNotContain("user=x")
                    .doesNotContain("\n");
            assertThat(client.writeAccessWarning()).as("unknown is no warning").isEmpty();
        }
    }

    /** The answer once the source answers again, within 10 s. */
    static SourceAnswer eventually(SourceClient client, String user) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return lookup(client, user);
            } catch (SourceException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    static void execute(TestDatabase db, String... statements) {
        try (Connection c = java.sql.DriverManager.getConnection(
                        db.config().url(),
                        db.config().user(),
                        db.config().password().reveal());
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
