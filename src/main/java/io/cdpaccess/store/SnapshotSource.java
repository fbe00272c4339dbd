package io.cdpaccess.store;

/** Where a {@link LiveSnapshot} reads from: the store's change counter and a full snapshot. */
public interface SnapshotSource {

    /** The change counter; cheap enough to poll every second. */
    long version();

    /** Everything the decision path needs, read at one version. */
    StoreSnapshot snapshot();
}
