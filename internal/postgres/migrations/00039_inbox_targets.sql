-- First-response targets per workspace (minutes, counted in business
-- hours: weekdays 0 Sunday … 6 Saturday), each item's due time under the
-- target when it arrived, and when its lateness was told.

-- +goose Up
CREATE TABLE inbox_targets (
    workspace_id           bigint PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    first_response_minutes integer NOT NULL CHECK (first_response_minutes >= 0),
    always                 boolean NOT NULL DEFAULT false,
    days                   integer[] NOT NULL DEFAULT '{}',
    start_minute           integer NOT NULL DEFAULT 0,
    end_minute             integer NOT NULL DEFAULT 0,
    updated_at             timestamptz NOT NULL
);
ALTER TABLE inbox_items ADD COLUMN due_at timestamptz;
ALTER TABLE inbox_items ADD COLUMN overdue_notified_at timestamptz;
CREATE INDEX inbox_items_due_idx ON inbox_items (due_at)
    WHERE due_at IS NOT NULL AND first_response_at IS NULL AND overdue_notified_at IS NULL AND state <> 'done';

-- +goose Down
DROP INDEX inbox_items_due_idx;
ALTER TABLE inbox_items DROP COLUMN overdue_notified_at;
ALTER TABLE inbox_items DROP COLUMN due_at;
DROP TABLE inbox_targets;
