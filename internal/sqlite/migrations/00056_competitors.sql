-- Competitors and share of voice: brands a workspace compares itself
-- with, their tracked public accounts, each account's daily public
-- metrics, and the workspace's own-brand topic.

-- +goose Up
CREATE TABLE competitors (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    topic_id     INTEGER REFERENCES listen_topics (id) ON DELETE SET NULL,
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX competitors_name ON competitors (workspace_id, name COLLATE NOCASE);

CREATE TABLE competitor_accounts (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    competitor_id INTEGER NOT NULL REFERENCES competitors (id) ON DELETE CASCADE,
    platform      TEXT    NOT NULL,
    handle        TEXT    NOT NULL,
    remote_id     TEXT    NOT NULL DEFAULT '',
    display_name  TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    collected_at  INTEGER,
    attempted_at  INTEGER,
    last_error    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX competitor_accounts_handle ON competitor_accounts (competitor_id, platform, handle COLLATE NOCASE);
CREATE INDEX competitor_accounts_due ON competitor_accounts (collected_at);

CREATE TABLE competitor_days (
    account_id   INTEGER NOT NULL REFERENCES competitor_accounts (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    followers    INTEGER NOT NULL,
    following    INTEGER NOT NULL,
    posts_total  INTEGER NOT NULL,
    posts_day    INTEGER NOT NULL,
    engagements  INTEGER NOT NULL,
    top_posts    TEXT    NOT NULL DEFAULT '[]',
    collected_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
) STRICT;
CREATE INDEX competitor_days_workspace ON competitor_days (workspace_id, day);

CREATE TABLE competitor_settings (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    own_topic_id INTEGER REFERENCES listen_topics (id) ON DELETE SET NULL
) STRICT;

-- +goose Down
DROP TABLE competitor_settings;
DROP TABLE competitor_days;
DROP TABLE competitor_accounts;
DROP TABLE competitors;
