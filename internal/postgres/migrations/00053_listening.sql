-- Listening: a workspace's topics, the public posts that matched them (once
-- per workspace, platform and remote id), which topics each matched with
-- the terms found, hourly volume and daily authors per topic kept current
-- at insert (the pages read these, never every match), and each source's
-- cursor.

-- +goose Up
CREATE TABLE listen_topics (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text    NOT NULL,
    rules        text    NOT NULL,
    paused       boolean NOT NULL DEFAULT false,
    created_by   bigint  NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX listen_topics_name ON listen_topics (workspace_id, lower(name));

CREATE TABLE listen_matches (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id     bigint  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform         text    NOT NULL,
    remote_id        text    NOT NULL,
    cid              text    NOT NULL DEFAULT '',
    url              text    NOT NULL DEFAULT '',
    author_id        text    NOT NULL,
    author_handle    text    NOT NULL DEFAULT '',
    author_name      text    NOT NULL DEFAULT '',
    author_followers bigint  NOT NULL DEFAULT -1,
    text             text    NOT NULL,
    language         text    NOT NULL DEFAULT '',
    sentiment        text    NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    score            double precision NOT NULL DEFAULT 0,
    reply_to         text    NOT NULL DEFAULT '',
    posted_at        timestamptz NOT NULL,
    seen_at          timestamptz NOT NULL,
    UNIQUE (workspace_id, platform, remote_id)
);
CREATE INDEX listen_matches_posted ON listen_matches (workspace_id, posted_at, id);

CREATE TABLE listen_match_topics (
    topic_id  bigint  NOT NULL REFERENCES listen_topics (id) ON DELETE CASCADE,
    match_id  bigint  NOT NULL REFERENCES listen_matches (id) ON DELETE CASCADE,
    posted_at timestamptz NOT NULL,
    terms     text    NOT NULL DEFAULT '[]',
    PRIMARY KEY (topic_id, match_id)
);
CREATE INDEX listen_match_topics_posted ON listen_match_topics (topic_id, posted_at, match_id);
CREATE INDEX listen_match_topics_match ON listen_match_topics (match_id);

-- topic_id 0 counts each match of the workspace once, whatever its topics.
CREATE TABLE listen_volume (
    workspace_id bigint  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id     bigint  NOT NULL,
    hour         timestamptz NOT NULL,
    positive     bigint  NOT NULL DEFAULT 0,
    neutral      bigint  NOT NULL DEFAULT 0,
    negative     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, topic_id, hour)
);

CREATE TABLE listen_authors (
    workspace_id     bigint  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id         bigint  NOT NULL,
    day              timestamptz NOT NULL,
    platform         text    NOT NULL,
    author_id        text    NOT NULL,
    author_handle    text    NOT NULL DEFAULT '',
    author_name      text    NOT NULL DEFAULT '',
    author_followers bigint  NOT NULL DEFAULT -1,
    matches          bigint  NOT NULL DEFAULT 0,
    negative         bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, topic_id, day, platform, author_id)
);

CREATE TABLE listen_cursors (
    source     text    PRIMARY KEY,
    cursor     text    NOT NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE listen_cursors;
DROP TABLE listen_authors;
DROP TABLE listen_volume;
DROP TABLE listen_match_topics;
DROP TABLE listen_matches;
DROP TABLE listen_topics;
