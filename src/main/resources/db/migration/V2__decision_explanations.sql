-- The policy version that decided, and the explanation: every rule's outcome, the facts each
-- read, and the values of every fact fetched (JSON). ${clob} is the database's large-text type.
ALTER TABLE decisions ADD COLUMN policy_version VARCHAR(16);
ALTER TABLE decisions ADD COLUMN explanation ${clob};

-- Bumped by `cdp-access policy reload`: every running server re-reads its policy when it moves.
ALTER TABLE store_version ADD COLUMN policy_reloads BIGINT DEFAULT 0 NOT NULL;
