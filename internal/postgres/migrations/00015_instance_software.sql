-- What server program each instance of a platform runs (Mastodon-API
-- servers differ), learned from its nodeinfo and version, and whether it
-- deduplicates a post repeated with the same idempotency key.

-- +goose Up
CREATE TABLE instance_software (
    platform     text        NOT NULL,
    instance     text        NOT NULL,
    name         text        NOT NULL DEFAULT '',
    version      text        NOT NULL DEFAULT '',
    deduplicates boolean     NOT NULL DEFAULT false,
    checked_at   timestamptz NOT NULL,
    CONSTRAINT instance_software_pkey PRIMARY KEY (platform, instance)
);

-- +goose Down
DROP TABLE instance_software;
