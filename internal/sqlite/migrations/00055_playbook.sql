-- The crisis playbook: texts approved before a crisis (holding statements
-- and replies, usable without further review only while an incident is
-- open), the workspace's checklist, and each incident's copy of it.

-- +goose Up
CREATE TABLE playbook_entries (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('statement', 'reply')),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_by   INTEGER NOT NULL,
    approved_by  INTEGER,
    approved_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX playbook_entries_title ON playbook_entries (workspace_id, title COLLATE NOCASE);

CREATE TABLE playbook_steps (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    owner_id     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, position)
) STRICT;

CREATE TABLE incident_steps (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    owner_id    INTEGER NOT NULL DEFAULT 0,
    done_at     INTEGER,
    done_by     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX incident_steps_incident ON incident_steps (incident_id, position);

-- +goose Down
DROP TABLE incident_steps;
DROP TABLE playbook_steps;
DROP TABLE playbook_entries;
