-- An account is identified by (workspace, platform, server, remote id):
-- a Mastodon account id is unique only on its own server, and small
-- servers hand out the same ids, so two accounts on two servers must live
-- side by side. remote_instance is the server part: the normalised
-- instance address on federated platforms (Mastodon API), '' elsewhere
-- (the store sets it from herald.Account.RemoteInstance).
--
-- SQLite cannot change a table's UNIQUE constraint, so the table is
-- rebuilt (https://www.sqlite.org/lang_altertable.html, "making other
-- kinds of table schema changes"). Foreign keys are switched off for the
-- rebuild, which a transaction cannot do: dropping the old table with
-- them on would delete every target and inbox item through ON DELETE
-- CASCADE. The references to accounts (targets, inbox_items) name the
-- table, so they point at the rebuilt one once it is renamed. accounts
-- has no triggers, views or other indexes to recreate; the AUTOINCREMENT
-- counter is carried over so ids of deleted accounts are not handed out
-- again.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE accounts_rebuild (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id       INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform           TEXT    NOT NULL,
    remote_instance    TEXT    NOT NULL DEFAULT '',
    remote_id          TEXT    NOT NULL,
    handle             TEXT    NOT NULL,
    display_name       TEXT    NOT NULL DEFAULT '',
    avatar_url         TEXT    NOT NULL DEFAULT '',
    instance_url       TEXT    NOT NULL DEFAULT '',
    credentials_key_id TEXT    NOT NULL DEFAULT '',
    credentials        BLOB,
    status             TEXT    NOT NULL,
    status_reason      TEXT    NOT NULL DEFAULT '',
    token_expires_at   INTEGER,
    paused_at          INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    posting_slots      TEXT    NOT NULL DEFAULT '{"slots":[]}',
    inbox_cursor       TEXT    NOT NULL DEFAULT '',
    UNIQUE (workspace_id, platform, remote_instance, remote_id),
    UNIQUE (workspace_id, id)
) STRICT;
INSERT INTO accounts_rebuild (id, workspace_id, platform, remote_instance, remote_id, handle, display_name,
    avatar_url, instance_url, credentials_key_id, credentials, status, status_reason, token_expires_at,
    paused_at, created_at, updated_at, posting_slots, inbox_cursor)
SELECT id, workspace_id, platform,
    CASE WHEN platform = 'mastodon' THEN lower(rtrim(trim(instance_url), '/')) ELSE '' END,
    remote_id, handle, display_name, avatar_url, instance_url, credentials_key_id, credentials, status,
    status_reason, token_expires_at, paused_at, created_at, updated_at, posting_slots, inbox_cursor
FROM accounts;
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'accounts')
    WHERE name = 'accounts_rebuild' AND seq < (SELECT seq FROM sqlite_sequence WHERE name = 'accounts');
INSERT INTO sqlite_sequence (name, seq) SELECT 'accounts_rebuild', seq FROM sqlite_sequence
    WHERE name = 'accounts' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'accounts_rebuild');
DROP TABLE accounts;
ALTER TABLE accounts_rebuild RENAME TO accounts;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- Fails while two accounts of a workspace share a platform and remote id
-- on different servers: disconnect one first.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE accounts_rebuild (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id       INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform           TEXT    NOT NULL,
    remote_id          TEXT    NOT NULL,
    handle             TEXT    NOT NULL,
    display_name       TEXT    NOT NULL DEFAULT '',
    avatar_url         TEXT    NOT NULL DEFAULT '',
    instance_url       TEXT    NOT NULL DEFAULT '',
    credentials_key_id TEXT    NOT NULL DEFAULT '',
    credentials        BLOB,
    status             TEXT    NOT NULL,
    status_reason      TEXT    NOT NULL DEFAULT '',
    token_expires_at   INTEGER,
    paused_at          INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    posting_slots      TEXT    NOT NULL DEFAULT '{"slots":[]}',
    inbox_cursor       TEXT    NOT NULL DEFAULT '',
    UNIQUE (workspace_id, platform, remote_id),
    UNIQUE (workspace_id, id)
) STRICT;
INSERT INTO accounts_rebuild (id, workspace_id, platform, remote_id, handle, display_name, avatar_url,
    instance_url, credentials_key_id, credentials, status, status_reason, token_expires_at, paused_at,
    created_at, updated_at, posting_slots, inbox_cursor)
SELECT id, workspace_id, platform, remote_id, handle, display_name, avatar_url, instance_url,
    credentials_key_id, credentials, status, status_reason, token_expires_at, paused_at, created_at,
    updated_at, posting_slots, inbox_cursor
FROM accounts;
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'accounts')
    WHERE name = 'accounts_rebuild' AND seq < (SELECT seq FROM sqlite_sequence WHERE name = 'accounts');
INSERT INTO sqlite_sequence (name, seq) SELECT 'accounts_rebuild', seq FROM sqlite_sequence
    WHERE name = 'accounts' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'accounts_rebuild');
DROP TABLE accounts;
ALTER TABLE accounts_rebuild RENAME TO accounts;
COMMIT;
PRAGMA foreign_keys = ON;
