package io.cdpaccess.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "0ms, PT0S",
        "5s, PT5S",
        "10m, PT10M",
        "2h, PT2H",
        "30d, PT720H",
        "' 5 s ', PT5S",
        "999999999ms, PT277H46M39.999S"
    })
    void parsesWhatPeopleWrite(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "5",
                "s",
                "-5s",
                "+5s",
                "5.5s",
                "5sec",
                "5 seconds",
                "1w",
                "5S",
                "5M",
                "1h30m",
                "PT5S",
                "1000000000s",
                "٥s"
            })
    void refusesEverythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration such as 500ms, 5s, 10m, 2h or 30d");
    }

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0s",
        "PT0.5S, 500ms",
        "PT1.5S, 1500ms",
        "PT90S, 90s",
        "PT1M, 1m",
        "PT1H, 1h",
        "PT24H, 1d",
        "PT25H, 25h",
        "PT10M, 10m"
    })
    void formatsTheShortestForm(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Property
    void formatReadsBack(@ForAll @LongRange(min = 0, max = 999_999_999) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
