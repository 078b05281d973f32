-- A video's length, read from its MP4 or QuickTime header at upload, so
-- each platform's duration rules are checked before a post is scheduled.
-- 0: not a video, or a file uploaded before Herald read lengths.

-- +goose Up
ALTER TABLE media_assets ADD COLUMN duration_ms integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE media_assets DROP COLUMN duration_ms;
