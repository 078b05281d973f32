-- A workspace's logo, shown in the header of its PDF reports: one PNG or
-- JPEG image a workspace, at most 1 MiB (checked by the service).

-- +goose Up
CREATE TABLE workspace_logos (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    data         BLOB    NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE workspace_logos;
