-- Templates (saved posts to start new ones from), snippets and hashtag
-- groups. A template's content is the composer's, kept as JSON; its
-- label, campaign, media and account ids are checked when a post is made
-- from it, so deleting one of those never deletes a template.
-- Snippets and hashtag groups share one table: kind says which, and a
-- group's body is its tags, space-separated.

-- +goose Up
CREATE TABLE templates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    content      TEXT    NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX templates_name ON templates (workspace_id, name COLLATE NOCASE);

CREATE TABLE snippets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('text', 'hashtags')),
    name         TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX snippets_name ON snippets (workspace_id, kind, name COLLATE NOCASE);

-- +goose Down
DROP TABLE snippets;
DROP TABLE templates;
