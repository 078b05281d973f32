-- Full-text search of the inbox: an FTS5 index over the author's handle
-- and name and the item's text, with inbox_items as its external content,
-- kept in step by triggers. (The live inbox needs no schema on SQLite:
-- the store signals its watchers in process.)

-- +goose Up
CREATE VIRTUAL TABLE inbox_items_fts USING fts5(author_handle, author_name, text,
    content = 'inbox_items', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO inbox_items_fts (inbox_items_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_insert AFTER INSERT ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (rowid, author_handle, author_name, text)
        VALUES (new.id, new.author_handle, new.author_name, new.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_delete AFTER DELETE ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (inbox_items_fts, rowid, author_handle, author_name, text)
        VALUES ('delete', old.id, old.author_handle, old.author_name, old.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER inbox_items_fts_update AFTER UPDATE OF author_handle, author_name, text ON inbox_items BEGIN
    INSERT INTO inbox_items_fts (inbox_items_fts, rowid, author_handle, author_name, text)
        VALUES ('delete', old.id, old.author_handle, old.author_name, old.text);
    INSERT INTO inbox_items_fts (rowid, author_handle, author_name, text)
        VALUES (new.id, new.author_handle, new.author_name, new.text);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER inbox_items_fts_update;
DROP TRIGGER inbox_items_fts_delete;
DROP TRIGGER inbox_items_fts_insert;
DROP TABLE inbox_items_fts;
