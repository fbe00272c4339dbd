-- Tamper evidence: every decision and change record written from this version on is in a hash
-- chain. Each writer (a server's decision log, a process's store changes) starts a chain per
-- process run with a start row here, which links to the head of the chain of the same table that
-- started before it, so that a whole run cannot vanish unseen. Each record stores its place
-- (chain_id, chain_seq), the previous record's hash and its own: SHA-256 over the previous hash
-- and its stored values (io.cdpaccess.chain.ChainHash; the README's "Verifying the record").
-- Records are only ever appended: a decision whose caller was answered otherwise than first
-- written gets a correction row naming it (corrects), instead of an update.
CREATE TABLE audit_chains (
    chain_id          VARCHAR(40)  NOT NULL PRIMARY KEY,
    record_table      VARCHAR(16)  NOT NULL,
    started_at_ms     BIGINT       NOT NULL,
    writer            VARCHAR(255) NOT NULL,
    previous_chain_id VARCHAR(40),
    previous_seq      BIGINT,
    previous_hash     ${blob},
    start_hash        ${blob}      NOT NULL
);
CREATE INDEX audit_chains_by_start ON audit_chains (record_table, started_at_ms);

ALTER TABLE decisions ADD COLUMN corrects VARCHAR(40);
ALTER TABLE decisions ADD COLUMN chain_id VARCHAR(40);
ALTER TABLE decisions ADD COLUMN chain_seq BIGINT;
ALTER TABLE decisions ADD COLUMN prev_hash ${blob};
ALTER TABLE decisions ADD COLUMN record_hash ${blob};
CREATE INDEX decisions_by_chain ON decisions (chain_id, chain_seq);
CREATE INDEX decisions_corrections ON decisions (corrects);
-- Searching the log by project as quickly as by user.
CREATE INDEX decisions_by_project ON decisions (project_id, decided_at_ms);

-- What a change changed, as JSON (io.cdpaccess.store.ChangeValues): the grant, project or block
-- before it and after it; null for none (something new has no before).
ALTER TABLE changes ADD COLUMN before_value ${clob};
ALTER TABLE changes ADD COLUMN after_value ${clob};
ALTER TABLE changes ADD COLUMN chain_id VARCHAR(40);
ALTER TABLE changes ADD COLUMN chain_seq BIGINT;
ALTER TABLE changes ADD COLUMN prev_hash ${blob};
ALTER TABLE changes ADD COLUMN record_hash ${blob};
CREATE INDEX changes_by_chain ON changes (chain_id, chain_seq);
