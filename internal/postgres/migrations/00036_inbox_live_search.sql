-- The live inbox and its search. Every insert into and change of
-- inbox_items notifies the herald_inbox channel in the writing transaction
-- (payload: workspace id, item id, what changed, schema), so every writer
-- on every instance reaches the live inbox pages. The search column is the
-- item's author and text as a tsvector ('simple': no stemming, so names
-- and handles match as written), GIN-indexed for websearch_to_tsquery.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION herald_notify_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        kind := 'added';
    ELSIF NEW.state IS DISTINCT FROM OLD.state THEN
        kind := 'state';
    ELSIF NEW.assigned_to IS DISTINCT FROM OLD.assigned_to THEN
        kind := 'assigned';
    ELSE
        kind := 'changed';
    END IF;
    PERFORM pg_notify('herald_inbox', NEW.workspace_id || ' ' || NEW.id || ' ' || kind || ' ' || TG_TABLE_SCHEMA);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER inbox_items_notify_insert AFTER INSERT ON inbox_items FOR EACH ROW
    EXECUTE FUNCTION herald_notify_inbox();
CREATE TRIGGER inbox_items_notify_update AFTER UPDATE ON inbox_items FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION herald_notify_inbox();

ALTER TABLE inbox_items ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', author_handle || ' ' || author_name || ' ' || text)) STORED;
CREATE INDEX inbox_items_search_idx ON inbox_items USING GIN (search);

-- +goose Down
DROP INDEX inbox_items_search_idx;
ALTER TABLE inbox_items DROP COLUMN search;
DROP TRIGGER inbox_items_notify_update ON inbox_items;
DROP TRIGGER inbox_items_notify_insert ON inbox_items;
DROP FUNCTION herald_notify_inbox();
