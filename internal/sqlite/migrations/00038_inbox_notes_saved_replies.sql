-- Internal notes on inbox items (never sent to the platform), with the
-- members they mention as a comma-separated list of user ids, and the
-- workspace's saved replies (names unique ignoring case).

-- +goose Up
CREATE TABLE inbox_notes (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    author_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX inbox_notes_item ON inbox_notes (item_id, id);

CREATE TABLE saved_replies (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name_key)
);

-- +goose Down
DROP TABLE saved_replies;
DROP TABLE inbox_notes;
