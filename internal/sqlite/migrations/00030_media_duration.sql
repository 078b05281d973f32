-- A video's length, read from its MP4 or QuickTime header at upload, so
-- each platform's duration rules are checked before a post is scheduled.
-- 0: not a video, or a file uploaded before Herald read lengths.

-- +goose Up
ALTER TABLE media ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE media DROP COLUMN duration_ms;
