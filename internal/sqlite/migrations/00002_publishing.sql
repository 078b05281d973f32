-- Publishing: targets become the dispatcher's queue (due time, lease,
-- attempt count, confirmed progress, hold), every publish attempt is
-- logged, and publishing can be paused per workspace or for the whole
-- installation.

-- +goose Up
ALTER TABLE targets ADD COLUMN due_at INTEGER;
ALTER TABLE targets ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN progress TEXT NOT NULL DEFAULT '{}';
ALTER TABLE targets ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN lease_until INTEGER;
ALTER TABLE targets ADD COLUMN held_by INTEGER;
ALTER TABLE targets ADD COLUMN held_at INTEGER;
ALTER TABLE targets ADD COLUMN held_reason TEXT NOT NULL DEFAULT '';

-- Targets already waiting become due at their time (a retry at once); a
-- target caught publishing belongs to no live instance: its lease is over.
UPDATE targets SET due_at = COALESCE(scheduled_at, updated_at) WHERE state IN ('scheduled', 'retrying');
UPDATE targets SET lease_until = updated_at WHERE state = 'publishing';

-- NextDue reads only waiting targets, earliest first; ExpiredLeases only
-- publishing ones. The predicates match the queries' literally.
CREATE INDEX targets_next_due ON targets (due_at, id) WHERE state IN ('scheduled', 'retrying');
CREATE INDEX targets_lease ON targets (lease_until, id) WHERE state = 'publishing';

CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    target_id    INTEGER NOT NULL,
    number       INTEGER NOT NULL,
    instance     TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    http_status  INTEGER NOT NULL DEFAULT 0,
    outcome      TEXT    NOT NULL DEFAULT '', -- '' while in flight
    remote_id    TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (workspace_id, target_id) REFERENCES targets (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX attempts_target ON attempts (target_id, id);

ALTER TABLE workspaces ADD COLUMN publishing_paused_at INTEGER;

-- The installation's own settings: exactly one row.
CREATE TABLE installation_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    publishing_paused_at INTEGER
) STRICT;
INSERT INTO installation_settings (id) VALUES (1);

-- +goose Down
DROP TABLE installation_settings;
ALTER TABLE workspaces DROP COLUMN publishing_paused_at;
DROP TABLE attempts;
DROP INDEX targets_lease;
DROP INDEX targets_next_due;
ALTER TABLE targets DROP COLUMN held_reason;
ALTER TABLE targets DROP COLUMN held_at;
ALTER TABLE targets DROP COLUMN held_by;
ALTER TABLE targets DROP COLUMN lease_until;
ALTER TABLE targets DROP COLUMN lease_owner;
ALTER TABLE targets DROP COLUMN progress;
ALTER TABLE targets DROP COLUMN attempts;
ALTER TABLE targets DROP COLUMN due_at;
