package io.cdpaccess.chain;

/**
 * The last record of a chain: where the next record links, or a new run's chain starts from.
 *
 * @param chainId the chain
 * @param seq the record's place in it (0 for the chain's start record)
 * @param hash the record's hash
 */
public record ChainHead(String chainId, long seq, Hash hash) {

    @Override
    public String toString() {
        return chainId + "#" + seq + " " + hash;
    }
}
