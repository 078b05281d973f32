-- Running Herald processes announce themselves with a heartbeat, so that
-- the publishing leases of one that died are taken over within seconds
-- instead of at the end of the lease. Times are microseconds since the
-- epoch, UTC, as everywhere in this database.

-- +goose Up
CREATE TABLE instances (
    id           TEXT    PRIMARY KEY,
    hostname     TEXT    NOT NULL DEFAULT '',
    pid          INTEGER NOT NULL DEFAULT 0,
    version      TEXT    NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    alive_until  INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE instances;
