-- What people did to published posts on their platforms through Herald:
-- deleted them, or edited their text. Both are microseconds since the
-- epoch, UTC, like every other time.

-- +goose Up
ALTER TABLE targets ADD COLUMN remote_deleted_at INTEGER;
ALTER TABLE targets ADD COLUMN edited_at INTEGER;

-- +goose Down
ALTER TABLE targets DROP COLUMN edited_at;
ALTER TABLE targets DROP COLUMN remote_deleted_at;
