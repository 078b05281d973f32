-- Listing the posts scheduled in a time window (the calendar, the home
-- page's glance) reads the window's targets by this index instead of
-- checking every post of the workspace. It covers post_id, so the window
-- alone needs no row of targets.

-- +goose Up
CREATE INDEX targets_schedule ON targets (workspace_id, scheduled_at, post_id);

-- +goose Down
DROP INDEX targets_schedule;
