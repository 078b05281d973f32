-- Templates (saved posts to start new ones from), snippets and hashtag
-- groups. A template's content is the composer's, kept as JSON; its
-- label, campaign, media and account ids are checked when a post is made
-- from it, so deleting one of those never deletes a template.
-- Snippets and hashtag groups share one table: kind says which, and a
-- group's body is its tags, space-separated.

-- +goose Up
CREATE TABLE templates (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    content      jsonb       NOT NULL,
    created_by   bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT templates_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX templates_name_key ON templates (workspace_id, lower(name));

CREATE TABLE snippets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('text', 'hashtags')),
    name         text        NOT NULL,
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT snippets_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX snippets_name_key ON snippets (workspace_id, kind, lower(name));

-- +goose Down
DROP TABLE snippets;
DROP TABLE templates;
