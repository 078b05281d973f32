-- Queues and recurring posts: each account keeps its weekly posting slots
-- (JSON), and a post may recur (an RRULE on the first post of a series)
-- or be one occurrence of a series. A series never has two posts for one
-- occurrence.

-- +goose Up
ALTER TABLE accounts ADD COLUMN posting_slots jsonb NOT NULL DEFAULT '{"slots":[]}';
ALTER TABLE posts
    ADD COLUMN recurrence    text NOT NULL DEFAULT '',
    ADD COLUMN series_id     bigint,
    ADD COLUMN occurrence_at timestamptz,
    ADD CONSTRAINT posts_series_fkey FOREIGN KEY (series_id) REFERENCES posts (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX posts_series_occurrence_key ON posts (series_id, occurrence_at) WHERE series_id IS NOT NULL;
CREATE INDEX posts_recurring_idx ON posts (id) WHERE recurrence <> '';

-- +goose Down
DROP INDEX posts_recurring_idx;
DROP INDEX posts_series_occurrence_key;
ALTER TABLE posts
    DROP CONSTRAINT posts_series_fkey,
    DROP COLUMN occurrence_at,
    DROP COLUMN series_id,
    DROP COLUMN recurrence;
ALTER TABLE accounts DROP COLUMN posting_slots;
