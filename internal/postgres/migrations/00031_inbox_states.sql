-- Work states of inbox items: open (new, or reopened when the author
-- writes again), pending (waiting on someone) and done, with when the
-- state last changed and who marked it done; first_response_at is when
-- Herald's first reply to the item was confirmed by the platform.
-- assigned_to exists since 00004.

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN state text NOT NULL DEFAULT 'open'
    CONSTRAINT inbox_items_state_check CHECK (state IN ('open', 'pending', 'done'));
ALTER TABLE inbox_items ADD COLUMN state_changed_at timestamptz;
ALTER TABLE inbox_items ADD COLUMN first_response_at timestamptz;
ALTER TABLE inbox_items ADD COLUMN done_by bigint
    CONSTRAINT inbox_items_done_by_fkey REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX inbox_items_state_idx ON inbox_items (workspace_id, state, id);
CREATE INDEX inbox_items_author_idx ON inbox_items (account_id, author_id, id);

-- +goose Down
DROP INDEX inbox_items_author_idx;
DROP INDEX inbox_items_state_idx;
ALTER TABLE inbox_items DROP COLUMN done_by;
ALTER TABLE inbox_items DROP COLUMN first_response_at;
ALTER TABLE inbox_items DROP COLUMN state_changed_at;
ALTER TABLE inbox_items DROP COLUMN state;
