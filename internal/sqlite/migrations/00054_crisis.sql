-- Crisis detection: detectors over a workspace's listening matches (a
-- spike of a sentiment, a watched phrase, a pile-on of replies) with their
-- firing state, and incidents with their timeline.

-- +goose Up
CREATE TABLE crisis_detectors (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('spike', 'phrase', 'replies')),
    topic_id     INTEGER REFERENCES listen_topics (id) ON DELETE CASCADE,
    sentiment    TEXT    NOT NULL DEFAULT '',
    window_us    INTEGER NOT NULL,
    baseline_us  INTEGER NOT NULL DEFAULT 0,
    multiple     REAL    NOT NULL DEFAULT 0,
    min_count    INTEGER NOT NULL DEFAULT 0,
    phrases      TEXT    NOT NULL DEFAULT '[]',
    hold         TEXT    NOT NULL CHECK (hold IN ('auto', 'propose')),
    enabled      INTEGER NOT NULL DEFAULT 1,
    fired_at     INTEGER,
    below_since  INTEGER,
    checked_at   INTEGER,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX crisis_detectors_name ON crisis_detectors (workspace_id, name COLLATE NOCASE);

CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    detector_id   INTEGER REFERENCES crisis_detectors (id) ON DELETE SET NULL,
    title         TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('open', 'resolved')),
    drill         INTEGER NOT NULL DEFAULT 0,
    why           TEXT    NOT NULL DEFAULT '',
    evidence      TEXT    NOT NULL DEFAULT '[]',
    hold_proposed INTEGER NOT NULL DEFAULT 0,
    held_at       INTEGER,
    opened_at     INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_by   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX incidents_workspace ON incidents (workspace_id, status, opened_at);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL
) STRICT;
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
-- A reply is a match whose reply_to names another post.
CREATE INDEX listen_matches_replies ON listen_matches (workspace_id, reply_to, posted_at) WHERE reply_to <> '';

-- +goose Down
DROP INDEX listen_matches_replies;
DROP TABLE incident_events;
DROP TABLE incidents;
DROP TABLE crisis_detectors;
