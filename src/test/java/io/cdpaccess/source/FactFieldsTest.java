package io.cdpaccess.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpaccess.config.FactField.Type;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class FactFieldsTest {

    private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

    private static Object read(Type type, String text) {
        return FactFields.fromText(type, text, CHICAGO, ";");
    }

    @Test
    void aDateIsTheEndOfThatDayInTheSourcesZone() {
        assertThat(read(Type.DATE, "2026-06-30")).isEqualTo(Instant.parse("2026-07-01T05:00:00Z"));
        assertThatThrownBy(() -> read(Type.DATE, "06/30/2026")).hasMessageContaining("2026-06-30");
    }

    @Test
    void aTimestampKeepsItsOffsetAndReadsALocalTimeInTheZone() {
        assertThat(read(Type.TIMESTAMP, "2026-06-30T17:00:00Z")).isEqualTo(Instant.parse("2026-06-30T17:00:00Z"));
        assertThat(read(Type.TIMESTAMP, "2026-06-30T17:00:00+02:00")).isEqualTo(Instant.parse("2026-06-30T15:00:00Z"));
        assertThat(read(Type.TIMESTAMP, "2026-06-30 12:00:00")).isEqualTo(Instant.parse("2026-06-30T17:00:00Z"));
        assertThatThrownBy(() -> read(Type.TIMESTAMP, "noon")).hasMessageContaining("'noon'");
    }

    @Test
    void booleansIntsAndListsReadAsExportsWriteThem() {
        assertThat(read(Type.BOOL, "Yes")).isEqualTo(true);
        assertThat(read(Type.BOOL, "0")).isEqualTo(false);
        assertThatThrownBy(() -> read(Type.BOOL, "maybe")).hasMessageContaining("true/false");
        assertThat(read(Type.INT, " 42 ")).isEqualTo(42L);
        assertThatThrownBy(() -> read(Type.INT, "4.2")).hasMessageContaining("whole number");
        assertThat(read(Type.LIST, "IRB-1; IRB-2;;")).isEqualTo(List.of("IRB-1", "IRB-2"));
    }

    @Test
    void anEmptyValueIsNoFactAndALongOneIsShortenedInMessages() {
        assertThat(read(Type.STRING, "  ")).isNull();
        assertThat(read(Type.DATE, "")).isNull();
        assertThatThrownBy(() -> read(Type.INT, "x".repeat(500)))
                .hasMessageNotContaining("x".repeat(41))
                .hasMessageContaining("…");
    }
}
