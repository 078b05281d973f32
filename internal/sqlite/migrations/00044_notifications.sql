-- Each member's notification feed (the bell): one row per person and
-- event, the event's key unique per person and workspace.

-- +goose Up
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    event_key    TEXT    NOT NULL,
    notification TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    read_at      INTEGER,
    UNIQUE (workspace_id, user_id, event_key)
) STRICT;
CREATE INDEX notifications_feed_idx ON notifications (workspace_id, user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (workspace_id, user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_created_idx ON notifications (created_at);

-- +goose Down
DROP TABLE notifications;
