package io.cdpaccess.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerTest {

    @Test
    void onlyAllowCarriesTheBodyOne() {
        for (Answer a : Answer.values()) {
            assertThat(a.body().trim()).as(a.name()).isEqualTo(a == Answer.ALLOW ? "1" : "0");
        }
        assertThat(Answer.ALLOW.status()).isEqualTo(200);
    }

    @Test
    void emptyPostGets200NotAFailureStatus() {
        // REDCap's Test button treats 404, 407 and >= 500 as failures.
        assertThat(Answer.DENY.status()).isEqualTo(200);
        assertThat(Answer.UNAVAILABLE.status()).isEqualTo(503);
    }
}
