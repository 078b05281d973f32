-- Listening: what a topic's pages show that is computed from match texts
-- (rising and co-occurring terms, the top authors of the usual periods),
-- one row per topic (topic_id 0: every topic of the workspace), refreshed
-- in the background so that a page reads no match texts. last_match_id is
-- the topic's newest match when the row was computed.

-- +goose Up
CREATE TABLE listen_terms (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    topic_id      INTEGER NOT NULL,
    last_match_id INTEGER NOT NULL DEFAULT 0,
    computed_at   INTEGER NOT NULL,
    data          TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, topic_id)
) STRICT;

-- +goose Down
DROP TABLE listen_terms;
