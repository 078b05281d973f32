-- RSS and Atom feeds whose new entries become posts, and the entries each
-- feed has used: (feed, entry key) is the primary key, so an entry becomes
-- a post once even when two pollers read it at the same time.

-- +goose Up
CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url            TEXT    NOT NULL,
    name           TEXT    NOT NULL DEFAULT '',
    mode           TEXT    NOT NULL CHECK (mode IN ('draft', 'queue')),
    account_ids    TEXT    NOT NULL DEFAULT '[]',
    template       TEXT    NOT NULL,
    label_ids      TEXT    NOT NULL DEFAULT '[]',
    campaign_id    INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    paused         INTEGER NOT NULL DEFAULT 0,
    owner_id       INTEGER NOT NULL REFERENCES users (id),
    etag           TEXT    NOT NULL DEFAULT '',
    last_modified  TEXT    NOT NULL DEFAULT '',
    last_polled_at INTEGER,
    last_error     TEXT    NOT NULL DEFAULT '',
    next_poll_at   INTEGER NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX feeds_workspace_idx ON feeds (workspace_id);
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE paused = 0;

CREATE TABLE feed_entries (
    feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    entry_key    TEXT    NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    post_id      INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    skipped      INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
) STRICT;
CREATE INDEX feed_entries_post_idx ON feed_entries (post_id) WHERE post_id IS NOT NULL;

-- +goose Down
DROP TABLE feed_entries;
DROP TABLE feeds;
