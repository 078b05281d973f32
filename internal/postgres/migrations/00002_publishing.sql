-- Publishing: targets become the dispatcher's queue (due time, lease,
-- attempt count, confirmed progress, hold), every publish attempt is
-- logged, and publishing can be paused per workspace or for the whole
-- installation. Changes that may make a target due sooner notify the
-- channel herald_due (payload: the schema), which every instance's
-- dispatcher listens on.

-- +goose Up
ALTER TABLE targets
    ADD COLUMN due_at      timestamptz,
    ADD COLUMN attempts    integer     NOT NULL DEFAULT 0,
    ADD COLUMN progress    jsonb       NOT NULL DEFAULT '{}',
    ADD COLUMN lease_owner text        NOT NULL DEFAULT '',
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN held_by     bigint,
    ADD COLUMN held_at     timestamptz,
    ADD COLUMN held_reason text        NOT NULL DEFAULT '';

-- Targets already waiting become due at their time (a retry at once); a
-- target caught publishing belongs to no live instance: its lease is over.
UPDATE targets SET due_at = COALESCE(scheduled_at, updated_at) WHERE state IN ('scheduled', 'retrying');
UPDATE targets SET lease_until = updated_at WHERE state = 'publishing';

-- NextDue reads only waiting targets, earliest first; ExpiredLeases only
-- publishing ones.
CREATE INDEX targets_next_due_idx ON targets (due_at, id) WHERE state IN ('scheduled', 'retrying');
CREATE INDEX targets_lease_idx ON targets (lease_until, id) WHERE state = 'publishing';

CREATE TABLE attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    target_id    bigint      NOT NULL,
    number       integer     NOT NULL,
    instance     text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    duration_ms  bigint      NOT NULL DEFAULT 0,
    http_status  integer     NOT NULL DEFAULT 0,
    outcome      text        NOT NULL DEFAULT '', -- '' while in flight
    remote_id    text        NOT NULL DEFAULT '',
    error        text        NOT NULL DEFAULT '',
    CONSTRAINT attempts_target_fkey FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE
);
CREATE INDEX attempts_target_idx ON attempts (target_id, id);

ALTER TABLE workspaces ADD COLUMN publishing_paused_at timestamptz;

-- The installation's own settings: exactly one row.
CREATE TABLE installation_settings (
    id                   integer PRIMARY KEY CHECK (id = 1),
    publishing_paused_at timestamptz
);
INSERT INTO installation_settings (id) VALUES (1);

-- +goose StatementBegin
CREATE FUNCTION herald_notify_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Identical notifications in one transaction are delivered once.
    PERFORM pg_notify('herald_due', TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER targets_due_insert AFTER INSERT ON targets FOR EACH ROW
    WHEN (NEW.state IN ('scheduled', 'retrying'))
    EXECUTE FUNCTION herald_notify_due();
CREATE TRIGGER targets_due_update AFTER UPDATE OF state, due_at ON targets FOR EACH ROW
    WHEN (NEW.state IN ('scheduled', 'retrying')
          AND (OLD.state IS DISTINCT FROM NEW.state OR OLD.due_at IS DISTINCT FROM NEW.due_at))
    EXECUTE FUNCTION herald_notify_due();
-- An account unpaused or reconnected releases its waiting targets.
CREATE TRIGGER accounts_due_update AFTER UPDATE OF paused_at, status ON accounts FOR EACH ROW
    WHEN (NEW.paused_at IS NULL AND NEW.status NOT IN ('expired', 'revoked')
          AND (OLD.paused_at IS NOT NULL OR OLD.status IN ('expired', 'revoked')))
    EXECUTE FUNCTION herald_notify_due();
CREATE TRIGGER workspaces_due_update AFTER UPDATE OF publishing_paused_at ON workspaces FOR EACH ROW
    WHEN (OLD.publishing_paused_at IS NOT NULL AND NEW.publishing_paused_at IS NULL)
    EXECUTE FUNCTION herald_notify_due();
CREATE TRIGGER installation_settings_due_update AFTER UPDATE OF publishing_paused_at ON installation_settings FOR EACH ROW
    WHEN (OLD.publishing_paused_at IS NOT NULL AND NEW.publishing_paused_at IS NULL)
    EXECUTE FUNCTION herald_notify_due();

-- +goose Down
DROP TRIGGER installation_settings_due_update ON installation_settings;
DROP TRIGGER workspaces_due_update ON workspaces;
DROP TRIGGER accounts_due_update ON accounts;
DROP TRIGGER targets_due_update ON targets;
DROP TRIGGER targets_due_insert ON targets;
DROP FUNCTION herald_notify_due();
DROP TABLE installation_settings;
ALTER TABLE workspaces DROP COLUMN publishing_paused_at;
DROP TABLE attempts;
DROP INDEX targets_lease_idx;
DROP INDEX targets_next_due_idx;
ALTER TABLE targets
    DROP COLUMN held_reason,
    DROP COLUMN held_at,
    DROP COLUMN held_by,
    DROP COLUMN lease_until,
    DROP COLUMN lease_owner,
    DROP COLUMN progress,
    DROP COLUMN attempts,
    DROP COLUMN due_at;
