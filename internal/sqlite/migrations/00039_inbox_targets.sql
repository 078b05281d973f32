-- First-response targets per workspace (minutes, counted in business
-- hours: days as a comma-separated list of weekdays, 0 Sunday), each
-- item's due time under the target when it arrived, and when its lateness
-- was told.

-- +goose Up
CREATE TABLE inbox_targets (
    workspace_id           INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes >= 0),
    always                 INTEGER NOT NULL DEFAULT 0,
    days                   TEXT NOT NULL DEFAULT '',
    start_minute           INTEGER NOT NULL DEFAULT 0,
    end_minute             INTEGER NOT NULL DEFAULT 0,
    updated_at             INTEGER NOT NULL
);
ALTER TABLE inbox_items ADD COLUMN due_at INTEGER;
ALTER TABLE inbox_items ADD COLUMN overdue_notified_at INTEGER;
CREATE INDEX inbox_items_due ON inbox_items (due_at)
    WHERE due_at IS NOT NULL AND first_response_at IS NULL AND overdue_notified_at IS NULL AND state <> 'done';

-- +goose Down
DROP INDEX inbox_items_due;
ALTER TABLE inbox_items DROP COLUMN overdue_notified_at;
ALTER TABLE inbox_items DROP COLUMN due_at;
DROP TABLE inbox_targets;
