-- Tasks: the team's work, on a board of four columns (state), ordered in
-- each column by position. The checklist is JSON on the task row (text and
-- done, in list order). The assignee is kept when they leave the
-- workspace (reads flag it); a deleted post or campaign unlinks its tasks.
-- source_key makes a task made by an event (a post sent back for changes)
-- unique per event. Template sets keep their items as JSON.

-- +goose Up
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    assignee_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    due_at       INTEGER,
    state        TEXT    NOT NULL CHECK (state IN ('todo', 'doing', 'in_review', 'done')),
    post_id      INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    position     REAL    NOT NULL,
    checklist    TEXT    NOT NULL DEFAULT '[]',
    created_by   INTEGER NOT NULL,
    source_key   TEXT,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX tasks_board ON tasks (workspace_id, state, position);
CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id, due_at);
CREATE INDEX tasks_campaign ON tasks (workspace_id, campaign_id);
CREATE INDEX tasks_post ON tasks (post_id);
CREATE INDEX tasks_due ON tasks (due_at) WHERE state <> 'done' AND assignee_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_source ON tasks (workspace_id, source_key) WHERE source_key IS NOT NULL;

CREATE TABLE task_comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    body         TEXT    NOT NULL,
    mentions     TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX task_comments_task ON task_comments (task_id, id);

CREATE TABLE task_template_sets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    items        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX task_template_sets_name ON task_template_sets (workspace_id, name COLLATE NOCASE);

-- +goose Down
DROP TABLE task_template_sets;
DROP TABLE task_comments;
DROP TABLE tasks;
