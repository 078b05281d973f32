-- Which Herald instance holds each account's push stream, until when.

-- +goose Up
CREATE TABLE inbox_streams (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    lease_until INTEGER NOT NULL
);

-- +goose Down
DROP TABLE inbox_streams;
