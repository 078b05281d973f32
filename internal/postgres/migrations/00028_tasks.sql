-- Tasks: the team's work, on a board of four columns (state), ordered in
-- each column by position. The checklist is JSON on the task row (text and
-- done, in list order). The assignee is kept when they leave the
-- workspace (reads flag it); a deleted post or campaign unlinks its tasks.
-- source_key makes a task made by an event (a post sent back for changes)
-- unique per event. Template sets keep their items as JSON.

-- +goose Up
CREATE TABLE tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint           NOT NULL,
    title        text             NOT NULL,
    description  text             NOT NULL DEFAULT '',
    assignee_id  bigint,
    due_at       timestamptz,
    state        text             NOT NULL CHECK (state IN ('todo', 'doing', 'in_review', 'done')),
    post_id      bigint,
    campaign_id  bigint,
    position     double precision NOT NULL,
    checklist    jsonb            NOT NULL DEFAULT '[]',
    created_by   bigint           NOT NULL,
    source_key   text,
    version      bigint           NOT NULL,
    created_at   timestamptz      NOT NULL,
    updated_at   timestamptz      NOT NULL,
    CONSTRAINT tasks_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT tasks_assignee_fkey FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT tasks_post_fkey FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE SET NULL,
    CONSTRAINT tasks_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL
);
CREATE INDEX tasks_board ON tasks (workspace_id, state, position);
CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id, due_at);
CREATE INDEX tasks_campaign ON tasks (workspace_id, campaign_id);
CREATE INDEX tasks_post ON tasks (post_id);
CREATE INDEX tasks_due ON tasks (due_at) WHERE state <> 'done' AND assignee_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_source_key ON tasks (workspace_id, source_key) WHERE source_key IS NOT NULL;

CREATE TABLE task_comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    task_id      bigint      NOT NULL,
    author_id    bigint      NOT NULL,
    body         text        NOT NULL,
    mentions     jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL,
    CONSTRAINT task_comments_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT task_comments_task_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    CONSTRAINT task_comments_author_fkey FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE INDEX task_comments_task ON task_comments (task_id, id);

CREATE TABLE task_template_sets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    name         text        NOT NULL,
    items        jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT task_template_sets_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX task_template_sets_name_key ON task_template_sets (workspace_id, lower(name));

-- +goose Down
DROP TABLE task_template_sets;
DROP TABLE task_comments;
DROP TABLE tasks;
