-- When each item was last read again from its platform to learn of edits
-- and deletions (check_inbox). A table of its own: writing the check time
-- on the item would tell the live inbox pages of a change that is none.

-- +goose Up
CREATE TABLE inbox_checks (
    item_id    INTEGER PRIMARY KEY REFERENCES inbox_items (id) ON DELETE CASCADE,
    checked_at INTEGER NOT NULL
) STRICT;
CREATE INDEX inbox_items_recent ON inbox_items (account_id, created_at) WHERE direct = 0 AND deleted_at IS NULL;

-- +goose Down
DROP INDEX inbox_items_recent;
DROP TABLE inbox_checks;
