-- A post's choice about tracked links: on, off or the workspace's default,
-- and its UTM parameters (herald.LinkTracking as JSON; '' for the default).

-- +goose Up
ALTER TABLE posts ADD COLUMN links TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN links;
