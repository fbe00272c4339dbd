package io.cdpaccess.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpaccess.store.Grant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code store.grant} describes the grant that matters: an active one (the one ending last), else
 * the next future one, else the one that ended last, else the last revoked; on ties the first
 * listed. The decision path chooses it in one pass; this compares that with the order of
 * preference written out plainly, one filter per kind, on random grants whose times collide often.
 */
class CoreFactsGrantChoiceTest {

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    /** The plain statement of the preference (the engine's first version). */
    static Optional<Grant> plainChoice(List<Grant> covering, Instant now, String[] state) {
        Optional<Grant> active = covering.stream()
                .filter(g -> g.activeAt(now))
                .max(Comparator.comparing((Grant g) -> g.validUntil().orElse(Instant.MAX)));
        Optional<Grant> future = covering.stream()
                .filter(g -> !g.revoked() && now.isBefore(g.validFrom()))
                .min(Comparator.comparing(Grant::validFrom));
        Optional<Grant> ended = covering.stream()
                .filter(g -> !g.revoked()
                        && g.validUntil().map(u -> !now.isBefore(u)).orElse(false))
                .max(Comparator.comparing(g -> g.validUntil().orElseThrow()));
        Optional<Grant> revoked = covering.stream()
                .filter(Grant::revoked)
                .max(Comparator.comparing(g -> g.revokedAt().orElseThrow()));
        if (active.isPresent()) {
            state[0] = "active";
            return active;
        }
        if (future.isPresent()) {
            state[0] = "future";
            return future;
        }
        if (ended.isPresent()) {
            state[0] = "ended";
            return ended;
        }
        if (revoked.isPresent()) {
            state[0] = "revoked";
            return revoked;
        }
        state[0] = "none";
        return Optional.empty();
    }

    static Instant t(Random r) {
        return NOW.plusSeconds(3600L * (r.nextInt(5) - 2)); // -2h..+2h: many ties, from > until, until == now
    }

    @Test
    void theOnePassChoiceIsThePlainOne() {
        Random r = new Random(42);
        int checked = 0;
        for (int run = 0; run < 50_000; run++) {
            List<Grant> grants = new ArrayList<>();
            int n = r.nextInt(5);
            for (int i = 0; i < n; i++) {
                Optional<Instant> until = r.nextBoolean() ? Optional.of(t(r)) : Optional.empty();
                Optional<Instant> revokedAt = r.nextInt(3) == 0 ? Optional.of(t(r)) : Optional.empty();
                grants.add(new Grant(
                        "g" + i,
                        "i",
                        "u",
                        OptionalLong.empty(),
                        t(r),
                        until,
                        NOW,
                        "by",
                        "why",
                        revokedAt,
                        revokedAt.map(x -> "rb"),
                        revokedAt.map(x -> "rr")));
            }
            String[] state = new String[1];
            Optional<Grant> expected = plainChoice(grants, NOW, state);
            Map<String, Object> got = CoreFacts.grant(grants, NOW);
            assertThat(got.get("state")).as("%s", grants).isEqualTo(state[0]);
            assertThat(got.get("id"))
                    .as("%s", grants)
                    .isEqualTo(expected.map(Grant::id).orElse(null));
            checked++;
        }
        assertThat(checked).isEqualTo(50_000);
    }
}
