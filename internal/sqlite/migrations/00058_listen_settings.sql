-- A workspace's listening settings: how long its matches are kept.

-- +goose Up
CREATE TABLE listen_settings (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    keep_days    INTEGER NOT NULL CHECK (keep_days BETWEEN 1 AND 730)
) STRICT;

-- +goose Down
DROP TABLE listen_settings;
