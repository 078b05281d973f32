-- Sessions are kept under the SHA-256 of their cookie's token, so a copy
-- of the table gives no live session, and with their user, so a password
-- change or an administrator can end a person's other sessions. Existing
-- sessions are dropped: everyone signs in again once.

-- +goose Up
DROP TABLE sessions;
CREATE TABLE sessions (
    hash    TEXT    PRIMARY KEY,
    user_id INTEGER NOT NULL DEFAULT 0,
    data    BLOB    NOT NULL,
    expiry  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expiry);
CREATE INDEX sessions_user ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
CREATE TABLE sessions (
    token  TEXT    PRIMARY KEY,
    data   BLOB    NOT NULL,
    expiry INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expiry);
