-- The policy version that decided, and the explanation: every rule's outcome, the facts each
-- read, and the values of every fact fetched (JSON). ${clob} is the database's large-text type.
ALTER TABLE decisions ADD COLUMN policy_version VARCHAR(16);
ALTER TABLE decisions ADD COLUMN explanation ${clob};
