-- Herald's SQLite schema. Times are INTEGER unix microseconds in UTC; JSON
-- values are TEXT. Workspace-owned tables carry workspace_id and cascade
-- from workspaces, and references inside a workspace go through
-- (workspace_id, id) pairs so a row can never point into another workspace.

-- +goose Up
CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    time_zone   TEXT    NOT NULL,
    brand_rules TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE, -- lower-cased by the store
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login_at INTEGER
) STRICT;

CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    invited_by   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    accepted_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX invitations_workspace ON invitations (workspace_id, created_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id, user_id);

CREATE TABLE sessions (
    token  TEXT    PRIMARY KEY,
    data   BLOB    NOT NULL,
    expiry INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE accounts (
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
    UNIQUE (workspace_id, platform, remote_id),
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE labels (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    color        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;
CREATE UNIQUE INDEX labels_name ON labels (workspace_id, name COLLATE NOCASE);

CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    goal         TEXT    NOT NULL DEFAULT '',
    start_date   TEXT    NOT NULL DEFAULT '',
    end_date     TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    title        TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL DEFAULT '',
    -- The store checks the campaign is in the post's workspace; a plain
    -- reference lets deleting a campaign unlink its posts.
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;
CREATE INDEX posts_campaign ON posts (campaign_id);

CREATE TABLE post_labels (
    workspace_id INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    label_id     INTEGER NOT NULL,
    PRIMARY KEY (post_id, label_id),
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, label_id) REFERENCES labels (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX post_labels_label ON post_labels (workspace_id, label_id);

CREATE TABLE targets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    variant      TEXT    NOT NULL DEFAULT '{}',
    state        TEXT    NOT NULL,
    scheduled_at INTEGER,
    remote_id    TEXT    NOT NULL DEFAULT '',
    remote_url   TEXT    NOT NULL DEFAULT '',
    last_error   TEXT    NOT NULL DEFAULT '',
    published_at INTEGER,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id),
    UNIQUE (post_id, account_id),
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
) STRICT;
-- The publishing dispatcher scans due targets by state and time.
CREATE INDEX targets_due ON targets (workspace_id, state, scheduled_at);
CREATE INDEX targets_state_time ON targets (state, scheduled_at);
CREATE INDEX targets_account ON targets (workspace_id, account_id);

CREATE TABLE target_transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    target_id    INTEGER NOT NULL,
    from_state   TEXT    NOT NULL,
    to_state     TEXT    NOT NULL,
    actor_id     INTEGER,
    reason       TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, target_id) REFERENCES targets (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX target_transitions_target ON target_transitions (target_id, id);

CREATE TABLE media (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    alt_text     TEXT    NOT NULL DEFAULT '',
    sha256       TEXT    NOT NULL,
    storage_key  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX media_workspace ON media (workspace_id, id);
CREATE INDEX media_hash ON media (workspace_id, sha256);

-- Audit entries keep actor and token ids as history, without references:
-- the log outlives what it describes. workspace_id is NULL for
-- installation-wide events.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_id     INTEGER,
    token_id     INTEGER,
    action       TEXT    NOT NULL,
    object_type  TEXT    NOT NULL,
    object_id    INTEGER NOT NULL,
    before       TEXT,
    after        TEXT,
    at           INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE media;
DROP TABLE target_transitions;
DROP TABLE targets;
DROP TABLE post_labels;
DROP TABLE posts;
DROP TABLE campaigns;
DROP TABLE labels;
DROP TABLE accounts;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE workspaces;
