-- Listening: a workspace's topics, the public posts that matched them (once
-- per workspace, platform and remote id), which topics each matched with
-- the terms found, hourly volume and daily authors per topic kept current
-- at insert (the pages read these, never every match), and each source's
-- cursor.

-- +goose Up
CREATE TABLE listen_topics (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    rules        TEXT    NOT NULL,
    paused       INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX listen_topics_name ON listen_topics (workspace_id, name COLLATE NOCASE);

CREATE TABLE listen_matches (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform         TEXT    NOT NULL,
    remote_id        TEXT    NOT NULL,
    cid              TEXT    NOT NULL DEFAULT '',
    url              TEXT    NOT NULL DEFAULT '',
    author_id        TEXT    NOT NULL,
    author_handle    TEXT    NOT NULL DEFAULT '',
    author_name      TEXT    NOT NULL DEFAULT '',
    author_followers INTEGER NOT NULL DEFAULT -1,
    text             TEXT    NOT NULL,
    language         TEXT    NOT NULL DEFAULT '',
    sentiment        TEXT    NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    score            REAL    NOT NULL DEFAULT 0,
    reply_to         TEXT    NOT NULL DEFAULT '',
    posted_at        INTEGER NOT NULL,
    seen_at          INTEGER NOT NULL,
    UNIQUE (workspace_id, platform, remote_id)
) STRICT;
CREATE INDEX listen_matches_posted ON listen_matches (workspace_id, posted_at, id);

CREATE TABLE listen_match_topics (
    topic_id  INTEGER NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    match_id  INTEGER NOT NULL REFERENCES listen_matches (id) ON DELETE CASCADE,
    posted_at INTEGER NOT NULL,
    terms     TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (topic_id, match_id)
) STRICT;
CREATE INDEX listen_match_topics_posted ON listen_match_topics (topic_id, posted_at, match_id);
CREATE INDEX listen_match_topics_match ON listen_match_topics (match_id);

-- topic_id 0 counts each match of the workspace once, whatever its topics.
CREATE TABLE listen_volume (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id     INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    positive     INTEGER NOT NULL DEFAULT 0,
    neutral      INTEGER NOT NULL DEFAULT 0,
    negative     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, topic_id, hour)
) STRICT;

CREATE TABLE listen_authors (
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id         INTEGER NOT NULL,
    day              INTEGER NOT NULL,
    platform         TEXT    NOT NULL,
    author_id        TEXT    NOT NULL,
    author_handle    TEXT    NOT NULL DEFAULT '',
    author_name      TEXT    NOT NULL DEFAULT '',
    author_followers INTEGER NOT NULL DEFAULT -1,
    matches          INTEGER NOT NULL DEFAULT 0,
    negative         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, topic_id, day, platform, author_id)
) STRICT;

CREATE TABLE listen_cursors (
    source     TEXT    PRIMARY KEY,
    cursor     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE listen_cursors;
DROP TABLE listen_authors;
DROP TABLE listen_volume;
DROP TABLE listen_match_topics;
DROP TABLE listen_matches;
DROP TABLE listen_topics;
