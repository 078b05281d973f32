-- What people did to published posts on their platforms through Herald:
-- deleted them, or edited their text.

-- +goose Up
ALTER TABLE targets ADD COLUMN remote_deleted_at timestamptz;
ALTER TABLE targets ADD COLUMN edited_at timestamptz;

-- +goose Down
ALTER TABLE targets DROP COLUMN edited_at;
ALTER TABLE targets DROP COLUMN remote_deleted_at;
