package io.cdpaccess.store;

import io.cdpaccess.db.ChainedTable;
import io.cdpaccess.db.Jdbc;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code changes} table: who changed what, written in the same transaction as the change,
 * chained as {@link ChainedTable#CHANGES} describes.
 */
final class ChangeTable {

    /** Width of the {@code subject} column. */
    private static final int SUBJECT_WIDTH = 1000;

    /** Width of the {@code actor} column. */
    private static final int ACTOR_WIDTH = 255;

    private ChangeTable() {}

    /** The longest before or after value kept (a revocation of very many grants is cut there). */
    private static final int VALUES_WIDTH = 1_000_000;

    /** A change record's values exactly as stored, in {@link ChainedTable#CHANGES}'s order. */
    static List<Object> stored(
            String changeId, Instant at, String actor, String action, String subject, ChangeValues values) {
        return Arrays.asList(
                changeId,
                at.toEpochMilli(),
                Jdbc.storedText(actor, ACTOR_WIDTH),
                action,
                Jdbc.storedText(subject, SUBJECT_WIDTH),
                values.before().map(v -> Jdbc.storedText(v, VALUES_WIDTH)).orElse(null),
                values.after().map(v -> Jdbc.storedText(v, VALUES_WIDTH)).orElse(null));
    }
}
