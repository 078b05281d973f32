-- A workspace's notification channels (Slack, Discord, signed webhooks),
-- one delivery per (endpoint, notification key) so a repeated event is not
-- delivered twice, and every attempt of a delivery with its answer.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('slack', 'discord', 'generic')),
    name          TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    kinds         TEXT    NOT NULL DEFAULT '[]',
    enabled       INTEGER NOT NULL DEFAULT 1,
    secret_key_id TEXT    NOT NULL DEFAULT '',
    secret        BLOB,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_endpoints_workspace_idx ON webhook_endpoints (workspace_id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER NOT NULL,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_key       TEXT    NOT NULL,
    notification    TEXT    NOT NULL,
    test            INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT    NOT NULL DEFAULT '',
    finished_at     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (endpoint_id, event_key)
) STRICT;
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_unfinished_idx ON webhook_deliveries (next_attempt_at)
    WHERE state IN ('pending', 'sending');

CREATE TABLE webhook_attempts (
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    response    TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, number)
) STRICT;

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
