package io.cdpaccess.chain;

import java.util.List;

/**
 * One writer's chain in one process run: each record it appends links to the one before. Not
 * thread-safe: its writer appends from one thread at a time, inside the transaction that stores
 * the records, and {@link #reset}s when that transaction fails, so that the next attempt links to
 * what the table really holds.
 */
public final class Chain {

    /**
     * Where an appended record sits.
     *
     * @param chainId its chain
     * @param seq its place, from 1
     * @param previous the hash of the record before it (the start record's for the first)
     * @param hash its own hash
     */
    public record Link(String chainId, long seq, Hash previous, Hash hash) {}

    private final String table;
    private ChainHead head;

    /**
     * @param table the table the records go to, the first hashed field
     * @param start the chain's start record
     */
    public Chain(String table, ChainHead start) {
        this.table = table;
        this.head = start;
    }

    /** The last record linked, to {@link #reset} to when the records after it were not stored. */
    public ChainHead head() {
        return head;
    }

    /** Links the next record, of these stored values. */
    public Link append(List<?> fields) {
        Hash hash = ChainHash.of(head.hash(), table, fields);
        Link link = new Link(head.chainId(), head.seq() + 1, head.hash(), hash);
        head = new ChainHead(head.chainId(), link.seq(), hash);
        return link;
    }

    /** Forgets the links made after {@code earlier}: their transaction did not commit. */
    public void reset(ChainHead earlier) {
        if (!earlier.chainId().equals(head.chainId())) {
            throw new IllegalArgumentException("a head of chain " + earlier.chainId() + ", not " + head.chainId());
        }
        head = earlier;
    }
}
