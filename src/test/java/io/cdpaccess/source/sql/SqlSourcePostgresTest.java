package io.cdpaccess.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.FactField;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code sql} source against PostgreSQL (zonky's embedded server). */
class SqlSourcePostgresTest extends SqlSourceContract {

    @BeforeAll
    static void start() {
        TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        // The rows are written in UTC, then sessions are in Tokyo: a TIMESTAMPTZ is the same instant.
        start(pg, "BOOLEAN", "TIMESTAMP", "TIMESTAMPTZ", "ALTER DATABASE " + pg.name() + " SET timezone TO 'UTC'");
        execute(db, "ALTER DATABASE " + db.name() + " SET timezone TO 'Asia/Tokyo'");
    }

    @Test
    void numericsIntegersTimestampsAndArraysReadAsTheFactTypesTheyAreDeclared() throws Exception {
        List<FactField> columns = List.of(
                new FactField("n", "n", FactField.Type.INT),
                new FactField("flag", "flag", FactField.Type.BOOL),
                new FactField("day", "day_ts", FactField.Type.DATE),
                new FactField("day_tz", "day_tz", FactField.Type.DATE),
                new FactField("tags", "tags", FactField.Type.LIST));
        try (SourceClient client = open(
                "SELECT CAST(42 AS NUMERIC(10, 0)) AS n, 1 AS flag, CAST('2026-12-01 09:30:00' AS TIMESTAMP) AS day_ts,"
                        + " CAST('2026-12-01 23:30:00+00' AS TIMESTAMPTZ) AS day_tz, ARRAY['P-1', NULL, 'P-2'] AS tags"
                        + " FROM study_staff WHERE username = :user",
                columns)) {
            SourceAnswer a = lookup(client, "alice");
            // a date is the end of that day in Chicago; 23:30 UTC is still December 1st there
            assertThat(a.facts())
                    .containsEntry("n", 42L)
                    .containsEntry("flag", true)
                    .containsEntry("day", Instant.parse("2026-12-02T06:00:00Z"))
                    .containsEntry("day_tz", Instant.parse("2026-12-02T06:00:00Z"))
                    .containsEntry("tags", List.of("P-1", "P-2"));
        }
    }

    @Test
    void aFractionDeclaredIntAWholeNumberDeclaredBoolAndTextDeclaredAnArrayAreRefused() throws Exception {
        try (SourceClient fraction = open(
                        "SELECT CAST(42.5 AS NUMERIC) AS n FROM study_staff WHERE username = :user",
                        List.of(new FactField("n", "n", FactField.Type.INT)));
                SourceClient two = open(
                        "SELECT 2 AS flag FROM study_staff WHERE username = :user",
                        List.of(new FactField("flag", "flag", FactField.Type.BOOL)));
                SourceClient bytes = open(
                        "SELECT CAST('x' AS BYTEA) AS day FROM study_staff WHERE username = :user",
                        List.of(new FactField("day", "day", FactField.Type.DATE)))) {
            assertThatThrownBy(() -> lookup(fraction, "alice"))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("expected a whole number, not 42.5");
            assertThatThrownBy(() -> lookup(two, "alice"))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("expected true/false or 1/0, not 2");
            assertThatThrownBy(() -> lookup(bytes, "alice"))
                    .isInstanceOf(SourceException.class)
                    .hasMessageContaining("expected a date");
        }
    }

    @Override
    Instant aliceCheckedAt() {
        // written without an offset in a UTC session
        return Instant.parse("2026-06-30T12:00:00Z");
    }

    @Override
    String sleepsForSleepy() {
        return "(SELECT count(*) FROM pg_sleep(CASE WHEN :user = 'sleepy' THEN 30 ELSE 0 END)) = 1";
    }

    @Override
    String manyRows() {
        return "INSERT INTO study_staff (seq, username, protocol_number)"
                + " SELECT g, 'many', 'P-' || g FROM generate_series(1, 1001) g";
    }
}
