-- Language detection is the slowest part of reading an item, and no rule
-- needs it unless one matches on language: items whose language is still
-- to be detected are marked, detected right after they are stored, and
-- picked up by the analysis backfill if that step was interrupted.

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN language_due INTEGER NOT NULL DEFAULT 0;
CREATE INDEX inbox_items_language_due ON inbox_items (id) WHERE language_due = 1;

-- +goose Down
DROP INDEX inbox_items_language_due;
ALTER TABLE inbox_items DROP COLUMN language_due;
