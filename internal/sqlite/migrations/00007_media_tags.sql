-- Tags on media assets, and which targets use which media. target_media
-- is kept by triggers from each target's variant JSON (its media_ids and
-- those of its thread parts), so every way a target is written keeps it
-- true, and "where is this used" is an index lookup, not a scan of posts.

-- +goose Up
CREATE TABLE media_tags (
    media_id     INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    tag          TEXT    NOT NULL,
    PRIMARY KEY (media_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX media_tags_tag ON media_tags (workspace_id, tag);

CREATE TABLE target_media (
    target_id    INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    media_id     INTEGER NOT NULL,
    PRIMARY KEY (target_id, media_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX target_media_media ON target_media (workspace_id, media_id);

-- +goose StatementBegin
CREATE TRIGGER target_media_insert AFTER INSERT ON targets BEGIN
    INSERT OR IGNORE INTO target_media (target_id, workspace_id, media_id)
    SELECT NEW.id, NEW.workspace_id, m.value FROM json_each(NEW.variant, '$.media_ids') m
     WHERE m.type = 'integer'
    UNION
    SELECT NEW.id, NEW.workspace_id, m.value FROM json_each(NEW.variant, '$.thread') th, json_each(th.value, '$.media_ids') m
     WHERE th.type = 'object' AND m.type = 'integer';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER target_media_update AFTER UPDATE OF variant ON targets BEGIN
    DELETE FROM target_media WHERE target_id = NEW.id;
    INSERT OR IGNORE INTO target_media (target_id, workspace_id, media_id)
    SELECT NEW.id, NEW.workspace_id, m.value FROM json_each(NEW.variant, '$.media_ids') m
     WHERE m.type = 'integer'
    UNION
    SELECT NEW.id, NEW.workspace_id, m.value FROM json_each(NEW.variant, '$.thread') th, json_each(th.value, '$.media_ids') m
     WHERE th.type = 'object' AND m.type = 'integer';
END;
-- +goose StatementEnd

INSERT OR IGNORE INTO target_media (target_id, workspace_id, media_id)
SELECT t.id, t.workspace_id, m.value FROM targets t, json_each(t.variant, '$.media_ids') m
 WHERE m.type = 'integer'
UNION
SELECT t.id, t.workspace_id, m.value FROM targets t, json_each(t.variant, '$.thread') th, json_each(th.value, '$.media_ids') m
 WHERE th.type = 'object' AND m.type = 'integer';

-- +goose Down
DROP TRIGGER target_media_update;
DROP TRIGGER target_media_insert;
DROP TABLE target_media;
DROP TABLE media_tags;
