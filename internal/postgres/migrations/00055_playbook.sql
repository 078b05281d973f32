-- The crisis playbook: texts approved before a crisis (holding statements
-- and replies, usable without further review only while an incident is
-- open), the workspace's checklist, and each incident's copy of it.

-- +goose Up
CREATE TABLE playbook_entries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         text   NOT NULL CHECK (kind IN ('statement', 'reply')),
    title        text   NOT NULL,
    body         text   NOT NULL,
    created_by   bigint NOT NULL,
    approved_by  bigint,
    approved_at  timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX playbook_entries_title ON playbook_entries (workspace_id, lower(title));

CREATE TABLE playbook_steps (
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    title        text   NOT NULL,
    owner_id     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, position)
);

CREATE TABLE incident_steps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    title       text   NOT NULL,
    owner_id    bigint NOT NULL DEFAULT 0,
    done_at     timestamptz,
    done_by     bigint NOT NULL DEFAULT 0
);
CREATE INDEX incident_steps_incident ON incident_steps (incident_id, position);

-- +goose Down
DROP TABLE incident_steps;
DROP TABLE playbook_steps;
DROP TABLE playbook_entries;
