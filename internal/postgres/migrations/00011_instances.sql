-- Running Herald processes announce themselves with a heartbeat, so that
-- the publishing leases of one that died are taken over within seconds
-- instead of at the end of the lease.

-- +goose Up
CREATE TABLE instances (
    id           text        PRIMARY KEY,
    hostname     text        NOT NULL DEFAULT '',
    pid          integer     NOT NULL DEFAULT 0,
    version      text        NOT NULL DEFAULT '',
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    alive_until  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE instances;
