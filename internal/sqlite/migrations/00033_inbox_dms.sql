-- Direct messages in the inbox: an item is direct (a private message)
-- in a platform conversation; each account keeps a direct-message sync
-- cursor apart from its inbox (mentions) cursor, and why the platform
-- refused its direct messages at the last sync ('' when it did not).

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN direct INTEGER NOT NULL DEFAULT 0 CHECK (direct IN (0, 1));
ALTER TABLE inbox_items ADD COLUMN conversation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN dm_cursor TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN dm_refused TEXT NOT NULL DEFAULT '';
CREATE INDEX inbox_items_conversation ON inbox_items (account_id, conversation_id, created_at) WHERE direct = 1;

-- +goose Down
DROP INDEX inbox_items_conversation;
ALTER TABLE accounts DROP COLUMN dm_refused;
ALTER TABLE accounts DROP COLUMN dm_cursor;
ALTER TABLE inbox_items DROP COLUMN conversation_id;
ALTER TABLE inbox_items DROP COLUMN direct;
