-- Connecting accounts (OAuth states in progress, app registrations per
-- instance), metric snapshots of published targets, and the inbox of
-- mentions and replies with each account's sync cursor.

-- +goose Up
CREATE TABLE oauth_states (
    state_hash        BLOB    PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform          TEXT    NOT NULL,
    instance          TEXT    NOT NULL DEFAULT '',
    secret_key_id     TEXT    NOT NULL DEFAULT '',
    secret            BLOB,
    redirect_url      TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);

CREATE TABLE app_registrations (
    platform          TEXT    NOT NULL,
    instance          TEXT    NOT NULL,
    client_id         TEXT    NOT NULL,
    secret_key_id     TEXT    NOT NULL DEFAULT '',
    client_secret     BLOB,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (platform, instance)
) STRICT;

CREATE TABLE metric_snapshots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    target_id    INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    likes        INTEGER NOT NULL,
    reposts      INTEGER NOT NULL,
    replies      INTEGER NOT NULL,
    quotes       INTEGER NOT NULL,
    impressions  INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, target_id) REFERENCES targets (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX metric_snapshots_target ON metric_snapshots (target_id, at);
-- The metrics job scans recently published targets.
CREATE INDEX targets_published ON targets (published_at) WHERE state = 'published';
-- Replies are matched to the targets they answer.
CREATE INDEX targets_account_remote ON targets (account_id, remote_id) WHERE remote_id != '';

ALTER TABLE accounts ADD COLUMN inbox_cursor TEXT NOT NULL DEFAULT '';

CREATE TABLE inbox_items (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id       INTEGER NOT NULL,
    account_id         INTEGER NOT NULL,
    remote_id          TEXT    NOT NULL,
    url                TEXT    NOT NULL DEFAULT '',
    author_id          TEXT    NOT NULL DEFAULT '',
    author_handle      TEXT    NOT NULL DEFAULT '',
    author_name        TEXT    NOT NULL DEFAULT '',
    text               TEXT    NOT NULL DEFAULT '',
    reply_to_remote_id TEXT    NOT NULL DEFAULT '',
    target_id          INTEGER REFERENCES targets (id) ON DELETE SET NULL,
    created_at         INTEGER NOT NULL,
    fetched_at         INTEGER NOT NULL,
    meta               TEXT,
    read_at            INTEGER,
    assigned_to        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (account_id, remote_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX inbox_items_workspace ON inbox_items (workspace_id, id);
CREATE INDEX inbox_items_target ON inbox_items (target_id) WHERE target_id IS NOT NULL;

-- +goose Down
DROP TABLE inbox_items;
ALTER TABLE accounts DROP COLUMN inbox_cursor;
DROP INDEX targets_account_remote;
DROP INDEX targets_published;
DROP TABLE metric_snapshots;
DROP TABLE app_registrations;
DROP TABLE oauth_states;
