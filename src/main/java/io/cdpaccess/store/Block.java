package io.cdpaccess.store;

import java.time.Instant;
import java.util.Optional;

/** A user denied on every instance until the block is lifted. Lifted blocks are kept. */
public record Block(
        String id,
        String user,
        String reason,
        Instant blockedAt,
        String blockedBy,
        Optional<Instant> liftedAt,
        Optional<String> liftedBy,
        Optional<String> liftReason) {

    public boolean active() {
        return liftedAt.isEmpty();
    }

    /** This block as lifted at {@code at} by {@code actor} for {@code why}. */
    public Block lifted(Instant at, String actor, String why) {
        return new Block(id, user, reason, blockedAt, blockedBy, Optional.of(at), Optional.of(actor), Optional.of(why));
    }
}
