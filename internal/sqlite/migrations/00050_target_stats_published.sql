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
--   stay as fast as they were): a published target without a row, or whose
--   row was inserted before it was published, is found by comparing the
--   period's counts of targets and rows, and read through targets.

-- +goose Up
ALTER TABLE target_stats ADD COLUMN published_at INTEGER; -- the target's, once published
ALTER TABLE target_stats ADD COLUMN account_id INTEGER;
ALTER TABLE target_stats ADD COLUMN post_id INTEGER;
ALTER TABLE target_stats ADD COLUMN campaign_id INTEGER; -- the post's; NULL for none

UPDATE target_stats SET (published_at, account_id, post_id, campaign_id) = (
        SELECT t.published_at, t.account_id, t.post_id, p.campaign_id FROM targets t JOIN posts p ON p.id = t.post_id
        WHERE t.id = target_stats.target_id)
    WHERE target_id IN (SELECT id FROM targets WHERE state = 'published' AND published_at IS NOT NULL);

-- A period's rows, in publishing order (the rowid, target_id, comes last).
CREATE INDEX target_stats_published ON target_stats (workspace_id, published_at) WHERE published_at IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER target_stats_published AFTER INSERT ON target_stats WHEN NEW.published_at IS NULL BEGIN
    UPDATE target_stats SET (published_at, account_id, post_id, campaign_id) = (
            SELECT t.published_at, t.account_id, t.post_id, p.campaign_id FROM targets t JOIN posts p ON p.id = t.post_id
            WHERE t.id = NEW.target_id)
        WHERE target_id = NEW.target_id AND EXISTS (SELECT 1 FROM targets t WHERE t.id = NEW.target_id
            AND t.state = 'published' AND t.published_at IS NOT NULL);
END;
-- +goose StatementEnd

-- Only a published target's change: never a claim's or a completion's.
-- +goose StatementBegin
CREATE TRIGGER targets_stats_published AFTER UPDATE OF state, published_at ON targets
WHEN OLD.state = 'published' AND (NEW.state IS NOT 'published' OR NEW.published_at IS NOT OLD.published_at) BEGIN
    UPDATE target_stats SET published_at = CASE WHEN NEW.state = 'published' THEN NEW.published_at END
        WHERE target_id = NEW.id AND published_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_stats_campaign AFTER UPDATE OF campaign_id ON posts
WHEN OLD.campaign_id IS NOT NEW.campaign_id BEGIN
    UPDATE target_stats SET campaign_id = NEW.campaign_id
        WHERE target_id IN (SELECT id FROM targets WHERE post_id = NEW.id) AND published_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER posts_stats_campaign;
DROP TRIGGER targets_stats_published;
DROP TRIGGER target_stats_published;
DROP INDEX target_stats_published;
ALTER TABLE target_stats DROP COLUMN campaign_id;
ALTER TABLE target_stats DROP COLUMN post_id;
ALTER TABLE target_stats DROP COLUMN account_id;
ALTER TABLE target_stats DROP COLUMN published_at;
