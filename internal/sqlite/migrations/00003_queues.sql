-- Queues and recurring posts: each account keeps its weekly posting slots
-- (JSON), and a post may recur (an RRULE on the first post of a series)
-- or be one occurrence of a series. A series never has two posts for one
-- occurrence.

-- +goose Up
ALTER TABLE accounts ADD COLUMN posting_slots TEXT NOT NULL DEFAULT '{"slots":[]}';
ALTER TABLE posts ADD COLUMN recurrence TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN series_id INTEGER REFERENCES posts (id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN occurrence_at INTEGER;
CREATE UNIQUE INDEX posts_series_occurrence ON posts (series_id, occurrence_at) WHERE series_id IS NOT NULL;
CREATE INDEX posts_recurring ON posts (id) WHERE recurrence != '';

-- +goose Down
DROP INDEX posts_recurring;
DROP INDEX posts_series_occurrence;
ALTER TABLE posts DROP COLUMN occurrence_at;
ALTER TABLE posts DROP COLUMN series_id;
ALTER TABLE posts DROP COLUMN recurrence;
ALTER TABLE accounts DROP COLUMN posting_slots;
