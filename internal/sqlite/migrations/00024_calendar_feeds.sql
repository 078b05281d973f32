-- Secret calendar (iCalendar) feed addresses, one active per person and
-- workspace; only the SHA-256 of the token is kept.

-- +goose Up
CREATE TABLE calendar_feeds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX calendar_feeds_user ON calendar_feeds (workspace_id, user_id);

-- +goose Down
DROP TABLE calendar_feeds;
