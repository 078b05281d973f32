-- Tags on media assets, and which targets use which media. target_media
-- is kept by a trigger from each target's variant JSON (its media_ids and
-- those of its thread parts), so every way a target is written keeps it
-- true, and "where is this used" is an index lookup, not a scan of posts.

-- +goose Up
CREATE TABLE media_tags (
    media_id     bigint NOT NULL REFERENCES media_assets (id) ON DELETE CASCADE,
    workspace_id bigint NOT NULL,
    tag          text   NOT NULL,
    PRIMARY KEY (media_id, tag)
);
CREATE INDEX media_tags_tag_idx ON media_tags (workspace_id, tag);

CREATE TABLE target_media (
    target_id    bigint NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    workspace_id bigint NOT NULL,
    media_id     bigint NOT NULL,
    PRIMARY KEY (target_id, media_id)
);
CREATE INDEX target_media_media_idx ON target_media (workspace_id, media_id);

-- +goose StatementBegin
CREATE FUNCTION target_media_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM target_media WHERE target_id = NEW.id;
    END IF;
    INSERT INTO target_media (target_id, workspace_id, media_id)
    SELECT DISTINCT NEW.id, NEW.workspace_id, v::bigint
      FROM jsonb_path_query(NEW.variant, '$.media_ids[*] ? (@.type() == "number")') v
    UNION
    SELECT NEW.id, NEW.workspace_id, v::bigint
      FROM jsonb_path_query(NEW.variant, '$.thread[*].media_ids[*] ? (@.type() == "number")') v
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER target_media_insert AFTER INSERT ON targets
    FOR EACH ROW EXECUTE FUNCTION target_media_sync();
CREATE TRIGGER target_media_update AFTER UPDATE OF variant ON targets
    FOR EACH ROW WHEN (OLD.variant IS DISTINCT FROM NEW.variant) EXECUTE FUNCTION target_media_sync();

INSERT INTO target_media (target_id, workspace_id, media_id)
SELECT t.id, t.workspace_id, v::bigint
  FROM targets t, jsonb_path_query(t.variant, '$.media_ids[*] ? (@.type() == "number")') v
UNION
SELECT t.id, t.workspace_id, v::bigint
  FROM targets t, jsonb_path_query(t.variant, '$.thread[*].media_ids[*] ? (@.type() == "number")') v
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TRIGGER target_media_update ON targets;
DROP TRIGGER target_media_insert ON targets;
DROP FUNCTION target_media_sync();
DROP TABLE target_media;
DROP TABLE media_tags;
