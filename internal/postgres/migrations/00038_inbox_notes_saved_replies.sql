-- Internal notes on inbox items (never sent to the platform), with the
-- members they mention, and the workspace's saved replies (names unique
-- ignoring case).

-- +goose Up
CREATE TABLE inbox_notes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      bigint NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    author_id    bigint REFERENCES users (id) ON DELETE SET NULL,
    body         text NOT NULL,
    mentions     bigint[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL
);
CREATE INDEX inbox_notes_item_idx ON inbox_notes (item_id, id);

CREATE TABLE saved_replies (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL,
    body         text NOT NULL,
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX saved_replies_name_key ON saved_replies (workspace_id, lower(name));

-- +goose Down
DROP TABLE saved_replies;
DROP TABLE inbox_notes;
