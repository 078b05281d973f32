-- Each member's notification feed (the bell): one row per person and
-- event, the event's key unique per person and workspace.

-- +goose Up
CREATE TABLE notifications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text        NOT NULL,
    event_key    text        NOT NULL,
    notification jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    read_at      timestamptz,
    UNIQUE (workspace_id, user_id, event_key)
);
CREATE INDEX notifications_feed_idx ON notifications (workspace_id, user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (workspace_id, user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_created_idx ON notifications (created_at);

-- +goose Down
DROP TABLE notifications;
