-- The analytics pages read a period's targets from target_stats alone, in
-- publishing order, instead of joining targets, posts and accounts row by
-- row: each row keeps its target's publishing time, account and post and
-- the post's campaign, NULL until the target is published.
--
-- * A row gets them when it is inserted (whatever inserts it: the metrics,
--   the followers, the tracked links), through a trigger, if its target is
--   published by then; the rows already there get them here.
-- * They stay true: published_at follows a published target's (a published
--   target never changes, but nothing else would notice), campaign_id its
--   post's (a campaign deleted sets it NULL too).
-- * Publishing itself writes nothing here (the dispatcher's completions
--   stay as fast as they were, and no index of targets changes): a
--   published target without a row, or whose row was inserted before it
--   was published, is found by comparing the period's counts of targets and
--   rows, and read through targets.
-- * The index holds no count, so the metrics' and the clicks' updates of a
--   row stay heap-only.

-- +goose Up
ALTER TABLE target_stats ADD COLUMN published_at timestamptz, -- the target's, once published
    ADD COLUMN account_id bigint,
    ADD COLUMN post_id bigint,
    ADD COLUMN campaign_id bigint; -- the post's; NULL for none

UPDATE target_stats s SET published_at = t.published_at, account_id = t.account_id, post_id = t.post_id,
        campaign_id = p.campaign_id
    FROM targets t JOIN posts p ON p.id = t.post_id
    WHERE t.id = s.target_id AND t.state = 'published' AND t.published_at IS NOT NULL;

CREATE INDEX target_stats_published_idx ON target_stats (workspace_id, published_at, target_id)
    WHERE published_at IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION target_stats_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_stats s SET published_at = t.published_at, account_id = t.account_id, post_id = t.post_id,
            campaign_id = p.campaign_id
        FROM targets t JOIN posts p ON p.id = t.post_id
        WHERE s.target_id = NEW.target_id AND t.id = NEW.target_id AND t.state = 'published'
            AND t.published_at IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION targets_stats_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_stats SET published_at = CASE WHEN NEW.state = 'published' THEN NEW.published_at END
        WHERE target_id = NEW.id AND published_at IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION posts_stats_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE target_stats s SET campaign_id = NEW.campaign_id FROM targets t
        WHERE t.post_id = NEW.id AND s.target_id = t.id AND s.published_at IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- An insert only (an upsert's update of an existing row does not fire it).
CREATE TRIGGER target_stats_published AFTER INSERT ON target_stats
    FOR EACH ROW WHEN (NEW.published_at IS NULL) EXECUTE FUNCTION target_stats_published();
-- Only a published target's change: never a claim's or a completion's.
CREATE TRIGGER targets_stats_published AFTER UPDATE OF state, published_at ON targets
    FOR EACH ROW WHEN (OLD.state = 'published'
        AND (NEW.state <> 'published' OR NEW.published_at IS DISTINCT FROM OLD.published_at))
    EXECUTE FUNCTION targets_stats_published();
CREATE TRIGGER posts_stats_campaign AFTER UPDATE OF campaign_id ON posts
    FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id) EXECUTE FUNCTION posts_stats_campaign();

-- +goose Down
DROP TRIGGER posts_stats_campaign ON posts;
DROP TRIGGER targets_stats_published ON targets;
DROP TRIGGER target_stats_published ON target_stats;
DROP FUNCTION posts_stats_campaign();
DROP FUNCTION targets_stats_published();
DROP FUNCTION target_stats_published();
DROP INDEX target_stats_published_idx;
ALTER TABLE target_stats DROP COLUMN campaign_id, DROP COLUMN post_id, DROP COLUMN account_id,
    DROP COLUMN published_at;
