package io.cdpaccess.store;

/** Where a {@link LiveSnapshot} reads from: the store's change counter and a full snapshot. */
public interface SnapshotSource {

    /** The change counter; cheap enough to poll every second. */
    long version();

    /** Everything the decision path needs, read at one version. */
    StoreSnapshot snapshot();

    /**
     * Why the store is gone for good (its file deleted or replaced while serving), checked
     * whenever health is asked for, so that readiness does not wait for the next poll.
     */
    default java.util.Optional<String> lost() {
        return java.util.Optional.empty();
    }
}
