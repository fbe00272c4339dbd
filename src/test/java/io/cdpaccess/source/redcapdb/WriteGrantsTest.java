package io.cdpaccess.source.redcapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code SHOW GRANTS} lines of MariaDB and MySQL say about an account writing to REDCap's database. */
class WriteGrantsTest {

    static final Optional<String> REDCAP = Optional.of("redcap");

    @Test
    void selectOnlyIsReadingAndThePasswordHashIsNeverLookedAt() {
        List<String> lines = List.of(
                "GRANT USAGE ON *.* TO `reader`@`10.0.0.%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF'",
                "GRANT SELECT ON `redcap`.* TO `reader`@`10.0.0.%`",
                "GRANT SELECT (username, super_user) ON `redcap`.`redcap_user_information` TO `reader`@`%`",
                "GRANT SHOW VIEW, PROCESS ON *.* TO 'reader'@'%'",
                "GRANT `auditors` TO `reader`@`%`");
        assertThat(WriteGrants.beyondReading(lines, REDCAP)).isEmpty();
        assertThat(WriteGrants.warning("redcap", "reader", lines, REDCAP)).isEmpty();
    }

    @Test
    void everyPrivilegeBeyondReadingIsNamedWithWhereItHolds() {
        List<String> lines = List.of(
                "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF'",
                "GRANT SELECT, INSERT, UPDATE (super_user) ON `redcap`.* TO `app`@`%`",
                "GRANT ALL PRIVILEGES ON `redcap`.`redcap_user_rights` TO `app`@`%` WITH GRANT OPTION",
                "GRANT LOCK TABLES ON redcap.* TO 'app'@'%'");
        assertThat(WriteGrants.beyondReading(lines, REDCAP))
                .containsExactly(
                        "INSERT, UPDATE on `redcap`.*",
                        "ALL PRIVILEGES on `redcap`.`redcap_user_rights`",
                        "LOCK TABLES on redcap.*");
        assertThat(WriteGrants.warning("redcap", "app", lines, REDCAP))
                .hasValue("source 'redcap': database account 'app' can change REDCap's database"
                        + " (INSERT, UPDATE on `redcap`.*; ALL PRIVILEGES on `redcap`.`redcap_user_rights`;"
                        + " LOCK TABLES on redcap.*); the source only reads: give it an account with SELECT on"
                        + " REDCap's tables only");
    }

    @Test
    void aLongListIsCutAfterThreeGrants() {
        List<String> lines = List.of(
                "GRANT INSERT ON `redcap`.`a` TO `app`@`%`",
                "GRANT INSERT ON `redcap`.`b` TO `app`@`%`",
                "GRANT INSERT ON `redcap`.`c` TO `app`@`%`",
                "GRANT INSERT ON `redcap`.`d` TO `app`@`%`");
        assertThat(WriteGrants.warning("redcap", "app", lines, REDCAP))
                .hasValueSatisfying(
                        w -> assertThat(w).contains("`redcap`.`c`; ...)").doesNotContain("`d`"));
    }

    @Test
    void onlyGrantsReachingRedcapsDatabaseCount() {
        List<String> lines = List.of(
                "GRANT INSERT ON `test`.* TO PUBLIC",
                "GRANT INSERT ON `test\\_%`.* TO `app`@`%`",
                "GRANT DELETE ON `red%`.* TO `app`@`%`",
                "GRANT DROP ON `redcap\\_archive`.* TO `app`@`%`",
                "GRANT CREATE ON `redca_`.* TO `app`@`%`",
                "GRANT ALTER ON *.* TO `app`@`%`");
        assertThat(WriteGrants.beyondReading(lines, REDCAP))
                .containsExactly("DELETE on `red%`.*", "CREATE on `redca_`.*", "ALTER on *.*");
        assertThat(WriteGrants.beyondReading(lines, Optional.empty())).hasSize(6);
        assertThat(WriteGrants.reaches("`we``ird`.*", "we`ird")).isTrue();
        assertThat(WriteGrants.reaches("`red\\_cap`.*", "redxcap")).isFalse();
        assertThat(WriteGrants.reaches("`red_cap`.*", "redxcap")).isTrue();
        assertThat(WriteGrants.reaches("*", "redcap")).isTrue();
    }
}
