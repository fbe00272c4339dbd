package io.cdpaccess.source.sql;

import io.cdpaccess.testing.TestDatabase;
import io.cdpaccess.testing.TestDatabases;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;

/** The {@code sql} source against PostgreSQL (zonky's embedded server). */
class SqlSourcePostgresTest extends SqlSourceContract {

    @BeforeAll
    static void start() {
        TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRESQL);
        // The rows are written in UTC, then sessions are in Tokyo: a TIMESTAMPTZ is the same instant.
        start(pg, "BOOLEAN", "TIMESTAMP", "TIMESTAMPTZ", "ALTER DATABASE " + pg.name() + " SET timezone TO 'UTC'");
        execute(db, "ALTER DATABASE " + db.name() + " SET timezone TO 'Asia/Tokyo'");
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
