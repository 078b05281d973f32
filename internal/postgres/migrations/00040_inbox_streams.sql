-- Which Herald instance holds each account's push stream, until when.

-- +goose Up
CREATE TABLE inbox_streams (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    holder      text NOT NULL,
    lease_until timestamptz NOT NULL
);

-- +goose Down
DROP TABLE inbox_streams;
