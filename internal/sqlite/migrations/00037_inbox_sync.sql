-- When each account's inbox is next read: soon while a conversation is
-- going on (until active_until), less often while it is quiet.

-- +goose Up
CREATE TABLE inbox_sync (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    next_at      INTEGER NOT NULL,
    active_until INTEGER
);

-- +goose Down
DROP TABLE inbox_sync;
