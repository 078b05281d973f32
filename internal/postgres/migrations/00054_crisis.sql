-- Crisis detection: detectors over a workspace's listening matches (a
-- spike of a sentiment, a watched phrase, a pile-on of replies) with their
-- firing state, and incidents with their timeline.

-- +goose Up
CREATE TABLE crisis_detectors (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text    NOT NULL,
    kind         text    NOT NULL CHECK (kind IN ('spike', 'phrase', 'replies')),
    topic_id     bigint REFERENCES listen_topics (id) ON DELETE CASCADE,
    sentiment    text    NOT NULL DEFAULT '',
    window_us    bigint NOT NULL,
    baseline_us  bigint NOT NULL DEFAULT 0,
    multiple     double precision    NOT NULL DEFAULT 0,
    min_count    bigint NOT NULL DEFAULT 0,
    phrases      text    NOT NULL DEFAULT '[]',
    hold         text    NOT NULL CHECK (hold IN ('auto', 'propose')),
    enabled      boolean NOT NULL DEFAULT true,
    fired_at     timestamptz,
    below_since  timestamptz,
    checked_at   timestamptz,
    created_by   bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX crisis_detectors_name ON crisis_detectors (workspace_id, lower(name));

CREATE TABLE incidents (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    detector_id   bigint REFERENCES crisis_detectors (id) ON DELETE SET NULL,
    title         text    NOT NULL,
    status        text    NOT NULL CHECK (status IN ('open', 'resolved')),
    drill         boolean NOT NULL DEFAULT false,
    why           text    NOT NULL DEFAULT '',
    evidence      text    NOT NULL DEFAULT '[]',
    hold_proposed boolean NOT NULL DEFAULT false,
    held_at       timestamptz,
    opened_at     timestamptz NOT NULL,
    resolved_at   timestamptz,
    resolved_by   bigint NOT NULL DEFAULT 0
);
CREATE INDEX incidents_workspace ON incidents (workspace_id, status, opened_at);

CREATE TABLE incident_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text    NOT NULL,
    actor_id    bigint NOT NULL DEFAULT 0,
    message     text    NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
-- A reply is a match whose reply_to names another post.
CREATE INDEX listen_matches_replies ON listen_matches (workspace_id, reply_to, posted_at) WHERE reply_to <> '';

-- +goose Down
DROP INDEX listen_matches_replies;
DROP TABLE incident_events;
DROP TABLE incidents;
DROP TABLE crisis_detectors;
