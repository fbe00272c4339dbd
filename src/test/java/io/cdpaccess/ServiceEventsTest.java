package io.cdpaccess;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.audit.AuditVerifier;
import io.cdpaccess.db.Database;
import io.cdpaccess.testing.ServiceUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's own events are on the record, chained with the administrators' changes: its start
 * (version, a configuration digest without secrets, its policy), an accepted policy reload (what
 * changed; a changed caller secret only as "changed") and its stop.
 */
class ServiceEventsTest {

    @TempDir
    Path dir;

    private static final String NEW_SECRET = "prod-secret-rotated-0123456789-ABC";

    @Test
    void startReloadAndStopAreRecordedWithWhatChangedAndNoSecret() throws Exception {
        String first = ServiceUnderTest.prodConfig("""
                policy:
                  rules:
                    - {name: allow-all, effect: allow, when: "true"}
                """);
        String second = first.replace(ServiceUnderTest.PROD_SECRET, NEW_SECRET)
                .replace(
                        "    - {name: allow-all, effect: allow, when: \"true\"}\n",
                        "    - {name: allow-all, effect: allow, when: \"true\"}\n"
                                + "    - {name: no-bob, effect: deny, when: \"request.user == 'bob'\"}\n");
        try (ServiceUnderTest service = ServiceUnderTest.start(dir, first)) {
            assertThat(service.reload(second).problems()).isEmpty();
            assertThat(service.reload(second).problems())
                    .as("an unchanged file records nothing")
                    .isEmpty();
        }

        List<String[]> changes = new ArrayList<>();
        try (Database db = Database.open(
                        ServiceUnderTest.load(dir, second, Map.of()).store(), "read");
                Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT actor, action, subject, before_value, after_value FROM changes"
                        + " ORDER BY chain_seq")) {
            while (rs.next()) {
                changes.add(new String[] {
                    rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
                });
            }
            assertThat(new AuditVerifier(db.dataSource())
                            .verify(Optional.empty(), n -> {})
                            .verifies())
                    .isTrue();
        }
        assertThat(changes).extracting(r -> r[1]).containsExactly("service.start", "policy.reload", "service.stop");
        assertThat(changes).allSatisfy(r -> assertThat(r[0]).isEqualTo("cdp-access server"));

        String started = changes.get(0)[4];
        assertThat(started)
                .contains("\"version\":")
                .containsPattern("\"config_sha256\":\"[0-9a-f]{64}\"")
                .containsPattern("\"policy_sha256\":\"[0-9a-f]{64}\"")
                .contains("\"rules\":[\"allow-all\"]")
                .contains("\"name\":\"prod\"");
        String[] reload = changes.get(1);
        assertThat(reload[3]).contains("\"rules\":[\"allow-all\"]").doesNotContain("\"secret\"");
        assertThat(reload[4]).contains("\"rules\":[\"allow-all\",\"no-bob\"]").contains("\"secret\":\"changed\"");
        for (String[] row : changes) {
            for (String field : row) {
                if (field != null) {
                    assertThat(field)
                            .doesNotContain(ServiceUnderTest.PROD_SECRET)
                            .doesNotContain(NEW_SECRET)
                            .doesNotContain(io.cdpaccess.config.CallerSecret.hashed(NEW_SECRET)
                                    .substring(7, 27));
                }
            }
        }
        assertThat(Files.readString(dir.resolve("cdp-access.yaml"))).contains(NEW_SECRET);
    }
}
