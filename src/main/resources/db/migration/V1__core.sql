-- cdp-access core schema. Portable SQL: H2, PostgreSQL and MariaDB run this same file.
-- Instants are stored as UTC epoch milliseconds (BIGINT): the three databases disagree on
-- TIMESTAMP semantics and time zones, and epoch milliseconds cannot be misread.

-- Bumped by every change to grants, projects or blocks; a running server polls it to learn
-- that the CLI (another process) changed something, and reloads its in-memory snapshot.
CREATE TABLE store_version (
    id      INT    NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO store_version (id, version) VALUES (1, 0);

CREATE TABLE projects (
    instance_name VARCHAR(32)   NOT NULL,
    project_id    BIGINT        NOT NULL,
    status        VARCHAR(16)   NOT NULL,
    irb_number    VARCHAR(255),
    expires_at_ms BIGINT,
    note          VARCHAR(1000),
    updated_at_ms BIGINT        NOT NULL,
    updated_by    VARCHAR(255)  NOT NULL,
    PRIMARY KEY (instance_name, project_id)
);

-- project_id NULL means every project of the instance. valid_until_ms is exclusive.
-- Revocation sets revoked_*; rows are never deleted.
CREATE TABLE grants (
    grant_id       VARCHAR(40)   NOT NULL PRIMARY KEY,
    instance_name  VARCHAR(32)   NOT NULL,
    username       VARCHAR(255)  NOT NULL,
    project_id     BIGINT,
    valid_from_ms  BIGINT        NOT NULL,
    valid_until_ms BIGINT,
    granted_at_ms  BIGINT        NOT NULL,
    granted_by     VARCHAR(255)  NOT NULL,
    reason         VARCHAR(1000) NOT NULL,
    revoked_at_ms  BIGINT,
    revoked_by     VARCHAR(255),
    revoke_reason  VARCHAR(1000)
);
CREATE INDEX grants_by_user ON grants (instance_name, username);

-- A block denies a user on every instance until lifted; lifting keeps the row.
CREATE TABLE blocks (
    block_id      VARCHAR(40)   NOT NULL PRIMARY KEY,
    username      VARCHAR(255)  NOT NULL,
    reason        VARCHAR(1000) NOT NULL,
    blocked_at_ms BIGINT        NOT NULL,
    blocked_by    VARCHAR(255)  NOT NULL,
    lifted_at_ms  BIGINT,
    lifted_by     VARCHAR(255),
    lift_reason   VARCHAR(1000)
);
CREATE INDEX blocks_by_user ON blocks (username);

-- Who changed what, written in the same transaction as the change.
CREATE TABLE changes (
    change_id     VARCHAR(40)   NOT NULL PRIMARY KEY,
    changed_at_ms BIGINT        NOT NULL,
    actor         VARCHAR(255)  NOT NULL,
    action        VARCHAR(64)   NOT NULL,
    subject       VARCHAR(1000) NOT NULL
);
CREATE INDEX changes_by_time ON changes (changed_at_ms);

-- One row per request that reached the REDCap endpoint, committed before its answer was sent.
-- Text columns hold what the caller sent (truncated), for the administrator who asks "why?".
CREATE TABLE decisions (
    decision_id     VARCHAR(40)   NOT NULL PRIMARY KEY,
    decided_at_ms   BIGINT        NOT NULL,
    instance_name   VARCHAR(32),
    username        VARCHAR(300),
    normalized_user VARCHAR(300),
    project_id      VARCHAR(300),
    redcap_url      VARCHAR(300),
    caller_ip       VARCHAR(64)   NOT NULL,
    peer_ip         VARCHAR(64)   NOT NULL,
    effect          VARCHAR(16)   NOT NULL,
    reason          VARCHAR(64)   NOT NULL,
    detail          VARCHAR(1000),
    http_status     INT           NOT NULL,
    latency_us      BIGINT        NOT NULL,
    grant_id        VARCHAR(40)
);
CREATE INDEX decisions_by_time ON decisions (decided_at_ms);
CREATE INDEX decisions_by_user ON decisions (normalized_user, decided_at_ms);
