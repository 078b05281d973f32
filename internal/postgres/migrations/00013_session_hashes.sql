-- Sessions are kept under the SHA-256 of their cookie's token, so a copy
-- of the table gives no live session, and with their user, so a password
-- change or an administrator can end a person's other sessions. Existing
-- sessions are dropped: everyone signs in again once.

-- +goose Up
DROP TABLE sessions;
CREATE TABLE sessions (
    hash    text        PRIMARY KEY,
    user_id bigint      NOT NULL DEFAULT 0,
    data    bytea       NOT NULL,
    expiry  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
