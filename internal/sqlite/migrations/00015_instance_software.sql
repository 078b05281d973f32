-- What server program each instance of a platform runs (Mastodon-API
-- servers differ), learned from its nodeinfo and version, and whether it
-- deduplicates a post repeated with the same idempotency key.

-- +goose Up
CREATE TABLE instance_software (
    platform     TEXT    NOT NULL,
    instance     TEXT    NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    version      TEXT    NOT NULL DEFAULT '',
    deduplicates INTEGER NOT NULL DEFAULT 0,
    checked_at   INTEGER NOT NULL,
    PRIMARY KEY (platform, instance)
) STRICT;

-- +goose Down
DROP TABLE instance_software;
