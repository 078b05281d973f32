-- Secret calendar (iCalendar) feed addresses, one active per person and
-- workspace; only the SHA-256 of the token is kept.

-- +goose Up
CREATE TABLE calendar_feeds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    token_hash   bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CONSTRAINT calendar_feeds_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT calendar_feeds_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (workspace_id, user_id);

-- +goose Down
DROP TABLE calendar_feeds;
