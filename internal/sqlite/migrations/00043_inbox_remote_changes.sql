-- Items as the platform now has them: when the author edited the post
-- (its text is then the edited one) and when it was found deleted.

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN edited_at INTEGER;
ALTER TABLE inbox_items ADD COLUMN deleted_at INTEGER;

-- +goose Down
ALTER TABLE inbox_items DROP COLUMN deleted_at;
ALTER TABLE inbox_items DROP COLUMN edited_at;
