-- Listing the posts scheduled in a time window (the calendar, the home
-- page's glance) reads the window's targets by this index instead of
-- every target of the workspace. It covers post_id, so the window alone
-- needs no row of targets. It stands where targets_due_idx (state,
-- scheduled_at) stood before 00008: one index on the publishing path,
-- but one that serves the pages people look at most.

-- +goose Up
CREATE INDEX targets_schedule_idx ON targets (workspace_id, scheduled_at, post_id);

-- +goose Down
DROP INDEX targets_schedule_idx;
